"""Alembic environment of the catalog service (its own database, its own version table)."""

from services.catalog.models import Base
from shared.db.migrations import run_env

run_env(Base.metadata)
