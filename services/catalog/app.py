"""The catalog service: organisations, API keys, IP cores, offers, search."""
from __future__ import annotations

from flask import Flask

from services.catalog import api, models
from services.catalog.organisations import principal_for
from shared.web import ServiceContext, create_service_app

SERVICE = "catalog"


def build_context(database_url: str | None = None) -> ServiceContext:
    return ServiceContext.connect(SERVICE, models, principal_for, database_url)


def create_app(database_url: str | None = None) -> Flask:
    return create_service_app(build_context(database_url), title="ipmarket catalog",
                              blueprints=api.blueprints,
                              description="Directory of organisations and IP cores.")
