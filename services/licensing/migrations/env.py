"""Alembic environment of the licensing service (its own database, its own version table)."""

import services.licensing.purchasing_models  # noqa: F401  (its tables join Base.metadata on import)
from services.licensing.models import Base
from shared.db.migrations import run_env

run_env(Base.metadata)
