"""The ServiceContext of the app serving this request."""

from __future__ import annotations

from flask import current_app

from shared.runtime import ServiceContext


def service_context() -> ServiceContext:
    return current_app.extensions["ipmarket"]
