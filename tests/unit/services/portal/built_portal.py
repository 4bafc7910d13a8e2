"""The portal of a unit test, built once per settings and handed the test's own service clients
and clock: building one (some 70 routes compiled, every template compiled again in its own Jinja
environment) took two thirds of the tier's time when each test built its own."""

from __future__ import annotations

from flask import Flask

from services.portal.app import connect_services, create_app

_BUILT: dict[tuple, Flask] = {}


def portal_app(environ: dict[str, str], catalog=None, clock=None, **apis) -> Flask:
    key = tuple(sorted(environ.items()))
    app = _BUILT.get(key)
    if app is None:
        app = _BUILT[key] = create_app(environ, catalog, clock, **apis)
    else:
        connect_services(app, environ, catalog, clock, **apis)
    return app
