"""Alembic environment of the licensing service (its own database, its own version table)."""

from services.licensing.models import Base
from shared.db.migrations import run_env

run_env(Base.metadata)
