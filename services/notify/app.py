"""The notify service: webhooks and e-mail for every domain event (event → notice → delivery →
attempt; see `services.notify.domain`)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from services.notify import api, models
from services.notify.handlers import directory, people_directory
from shared.http.app import create_service_app
from shared.runtime import ServiceContext

SERVICE = "notify"


def build_context(database_url: str | None = None) -> ServiceContext:
    """The context, checked: webhook secrets that do not open with the configured secret stop
    start-up here, naming the setting."""
    context = ServiceContext.connect(
        SERVICE, models, directory.principal_for, database_url, people=people_directory
    )
    with context.session_factory() as session:
        # A stored secret must open: a wrong or missing secret stops the process now rather
        # than failing every delivery.
        session.scalar(sa.select(models.Endpoint.secret).limit(1))
    return context


def create_app(database_url: str | None = None) -> Flask:
    app = create_service_app(
        build_context(database_url),
        title="ipmarket notify",
        blueprints=api.blueprints,
        description="Webhooks and email to both sides of every deal.",
    )
    app.register_blueprint(api.old_paths)  # 308 from the paths that said "messages"
    return app
