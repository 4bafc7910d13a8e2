"""The paths of the release before, which called deliveries "messages", answer 308 (method and
body kept) to their new path, query string included, for one release. Not in the OpenAPI
document: it describes the current paths only."""

from __future__ import annotations

from flask import Blueprint, redirect, request

METHODS = ["GET", "HEAD", "POST"]

old_paths = Blueprint("old-paths", __name__)


def _moved(target: str):
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    return redirect(target, code=308)


@old_paths.route("/v1/messages", methods=METHODS)
def messages():
    return _moved("/v1/deliveries")


@old_paths.route("/v1/messages/<delivery_id>/attempts", methods=METHODS)
def message_attempts(delivery_id):
    return _moved(f"/v1/deliveries/{delivery_id}/attempts")


@old_paths.route("/v1/messages/<delivery_id>/replay", methods=METHODS)
def message_replay(delivery_id):
    return _moved(f"/v1/deliveries/{delivery_id}/replay")


@old_paths.route("/v1/endpoints/<endpoint_id>/messages", methods=METHODS)
def endpoint_messages(endpoint_id):
    return _moved(f"/v1/endpoints/{endpoint_id}/deliveries")
