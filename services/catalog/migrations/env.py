"""Alembic environment of the catalog service (its own database, its own version table)."""

import services.catalog.people_models  # noqa: F401  (its tables join Base.metadata on import)
from services.catalog.models import Base
from shared.db.migrations import run_env

run_env(Base.metadata)
