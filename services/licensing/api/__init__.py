"""The licensing HTTP API, one module per resource. Every business route is under /v1; the
JWKS stays at its well-known root path. The paths of the previous release answer 308 to their
/v1 form (query string kept) for one release."""

from __future__ import annotations

from flask import Flask, redirect, request

from services.licensing.api import (
    audit_log,
    keys,
    license_requests,
    licenses,
    orders,
    payments,
    quotes,
    screening_rules,
)
from services.licensing.api.common import V1

blueprints = [
    license_requests.blp,
    licenses.blp,
    screening_rules.blp,
    audit_log.blp,
    keys.blp,
    quotes.blp,
    orders.blp,
    payments.blp,
]


def _to_v1(**_path_values):
    query = request.query_string.decode("latin-1")
    return redirect(V1 + request.path + (f"?{query}" if query else ""), code=308)


def add_old_paths(app: Flask) -> None:
    """Each /v1 route also at its old path, answering 308 (which keeps the method and body).
    Not in the OpenAPI document: only the /v1 paths are the API."""
    names = {blp.name for blp in blueprints}
    for rule in list(app.url_map.iter_rules()):
        if rule.endpoint.split(".", 1)[0] in names and rule.rule.startswith(V1 + "/"):
            app.add_url_rule(
                rule.rule[len(V1) :],
                f"old_path.{rule.endpoint}",
                _to_v1,
                methods=sorted(rule.methods - {"HEAD", "OPTIONS"}),
            )
