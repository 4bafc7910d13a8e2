"""The licensing service: license requests, screening, approval, signed licenses."""
from __future__ import annotations

from flask import Flask

from services.licensing import api, models
from services.licensing.handlers import directory
from shared.web import ServiceContext, create_service_app

SERVICE = "licensing"


def build_context(database_url: str | None = None) -> ServiceContext:
    return ServiceContext.connect(SERVICE, models, directory.principal_for, database_url)


def create_app(database_url: str | None = None) -> Flask:
    return create_service_app(build_context(database_url), title="ipmarket licensing",
                              blueprints=api.blueprints,
                              description="License requests, export screening and signed licenses.")
