"""Alembic environment of the deliverables service (its own database, its own version table)."""

from services.deliverables.models import Base
from shared.db.migrations import run_env

run_env(Base.metadata)
