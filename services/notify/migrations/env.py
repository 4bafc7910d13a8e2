"""Alembic environment of the notify service (its own database, its own version table)."""

from services.notify.models import Base
from shared.db.migrations import run_env

run_env(Base.metadata)
