"""The deliverables service: the files of each core version, uploaded by their vendor
(streamed, resumable, checked against their SHA-256) and kept in one object store."""

from __future__ import annotations

from flask import Flask

from services.deliverables import api, models
from services.deliverables.boot import boot_id
from services.deliverables.handlers import directory, people_directory
from services.deliverables.storage import ObjectStore, store_from_settings
from shared.http.app import create_service_app
from shared.runtime import ServiceContext

SERVICE = "deliverables"


def build_context(database_url: str | None = None) -> ServiceContext:
    return ServiceContext.connect(
        SERVICE,
        models,
        directory.principal_for,
        database_url,
        remember_principals_for=directory.REMEMBER_SECONDS,
        people=people_directory,
    )


def create_app(database_url: str | None = None, store: ObjectStore | None = None) -> Flask:
    app = create_service_app(
        build_context(database_url),
        title="ipmarket deliverables",
        blueprints=api.blueprints,
        description="The files of each core version: uploaded by its vendor, kept immutable.",
    )
    app.extensions["deliverables_store"] = store or store_from_settings()
    app.extensions["deliverables_boot_id"] = boot_id()  # which files to check first
    return app
