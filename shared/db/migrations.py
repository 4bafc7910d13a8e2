"""Alembic, per service: each service keeps its own migrations/ and its own version table."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from shared import config
from shared.db.engine import create_engine

SERVICES_DIR = Path(__file__).resolve().parents[2] / "services"


def alembic_config(service: str, url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    # ConfigParser interpolates '%': a socket path in the URL is percent-encoded.
    cfg.set_main_option("sqlalchemy.url", (url or config.database_url(service)).replace("%", "%%"))
    cfg.attributes["service"] = service
    return cfg


def upgrade(service: str, url: str | None = None, revision: str = "head") -> None:
    cfg = alembic_config(service, url)
    engine = create_engine(cfg.get_main_option("sqlalchemy.url"))
    if engine.url.get_backend_name() == "sqlite" and engine.url.database:
        Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


def run_env(target_metadata) -> None:
    """The body of every service's migrations/env.py."""
    from alembic import context

    cfg = context.config
    options = dict(target_metadata=target_metadata, render_as_batch=True, compare_type=True)
    connection = cfg.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(cfg.get_main_option("sqlalchemy.url"))
    with engine.begin() as connection:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
