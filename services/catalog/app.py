"""The catalog service: organisations, API keys, IP cores, offers, search."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from services.catalog import api, models
from services.catalog.organisations import principal_for
from services.catalog.people_standing import CatalogPeople
from services.catalog.search.facet_bitset_index import facet_index_for
from shared.errors import Conflict, PreconditionFailed
from shared.http.app import create_service_app
from shared.runtime import ServiceContext

SERVICE = "catalog"


def build_context(database_url: str | None = None) -> ServiceContext:
    return ServiceContext.connect(
        SERVICE, models, principal_for, database_url, people=CatalogPeople()
    )


def create_app(database_url: str | None = None) -> Flask:
    context = build_context(database_url)
    warm_search(context)
    app = create_service_app(
        context,
        title="ipmarket catalog",
        blueprints=api.blueprints,
        description="Directory of organisations and IP cores.",
    )
    app.register_blueprint(api.old_paths)  # 308 from the paths before /v1
    # Races the domain's checks cannot see: two updates from the same version (the version
    # column makes the second UPDATE match no row), two creations of the same VLNV.
    app.register_error_handler(
        StaleDataError,
        lambda _: app.handle_user_exception(
            PreconditionFailed(
                "changed by another request meanwhile; read it again and retry", field="If-Match"
            )
        ),
    )
    app.register_error_handler(
        IntegrityError,
        lambda _: app.handle_user_exception(
            Conflict("it exists already (created by another request meanwhile)")
        ),
    )
    return app


def warm_search(context: ServiceContext) -> None:
    """Build this process's facet index (PostgreSQL) before it serves the first search."""
    if context.engine.dialect.name == "postgresql":
        with context.session_factory() as session:
            facet_index_for(context.engine).warm(session)
