"""The paths of the release before /v1 answer 308 (method and body kept) to their /v1 path,
query string included, for one release. Not in the OpenAPI document: it describes /v1 only."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, redirect, request

OLD_PREFIXES = ("/organisations", "/cores", "/vendor-name-claims")
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]

old_paths = Blueprint("old-paths", __name__)


def moved_to_v1(rest: str = ""):
    target = "/v1" + quote(request.path, safe="/:@!$&'()*+,;=-._~")  # as it was sent
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    return redirect(target, code=308)


for _prefix in OLD_PREFIXES:
    old_paths.add_url_rule(
        _prefix, f"moved{_prefix.replace('/', '_')}", moved_to_v1, methods=METHODS
    )
    old_paths.add_url_rule(
        f"{_prefix}/<path:rest>",
        f"moved{_prefix.replace('/', '_')}_below",
        moved_to_v1,
        methods=METHODS,
    )
