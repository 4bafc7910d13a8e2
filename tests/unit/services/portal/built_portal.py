"""The portal of a unit test, built once per settings and handed the test's own service clients
and clock: building one (some 70 routes compiled, every template compiled again in its own Jinja
environment) took two thirds of the tier's time when each test built its own.

A service the test hands no client of is one that does not answer, without sockets and without
the TLS set-up of a real client (httpx loads the CA bundle for each: a tenth of the tier's CPU
time when some 60 tests left a service or two out)."""

from __future__ import annotations

import httpx
from flask import Flask

from services.portal.app import SERVICE_APIS, connect_services, create_app

_BUILT: dict[tuple, Flask] = {}


def portal_app(environ: dict[str, str], catalog=None, clock=None, **apis) -> Flask:
    if catalog is not None:
        apis["catalog_api"] = catalog
    for name, (client, _) in SERVICE_APIS.items():
        if apis.get(name) is None:
            apis[name] = client(
                f"http://{name}.test", transport=httpx.MockTransport(not_in_the_unit_tier)
            )
    key = tuple(sorted(environ.items()))
    app = _BUILT.get(key)
    if app is None:
        app = _BUILT[key] = create_app(environ, None, clock, **apis)
    else:
        connect_services(app, environ, None, clock, **apis)
    return app


def not_in_the_unit_tier(request: httpx.Request) -> httpx.Response:
    """A service not in the unit tier, as when it does not answer."""
    raise httpx.ConnectError(f"{request.url.host} is not in the unit tier", request=request)
