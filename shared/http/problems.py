"""Errors as RFC 9457 problem+json: the body, the flask-smorest Api that answers with it, and the
handlers of domain errors, hostile input and the unexpected."""

from __future__ import annotations

import logging
from urllib.parse import quote

import flask_smorest
from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from shared import bounds
from shared.errors import DomainError
from shared.http.api_docs import PROBLEM_JSON, ProblemSchema, register_problem_responses
from shared.runtime import request_id_var

PROBLEM_BASE = "https://ipmarket.dev/problems/"
WEBARGS_LOCATIONS = {"json", "query", "headers", "files", "form", "view_args"}
log = logging.getLogger(__name__)


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    type_: str | None = None,
    errors: list[dict] | None = None,
    headers: dict | None = None,
    **extra,
):
    body = {
        "type": PROBLEM_BASE + type_ if type_ else "about:blank",
        "title": title,
        "status": status,
        "instance": request.path,
        "request_id": request_id_var.get(),
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.content_type = PROBLEM_JSON
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten_messages(messages, path: str = "") -> list[dict]:
    """marshmallow's nested {field: [message]} → [{"field": "a.b", "message": "…"}]."""
    if isinstance(messages, dict):
        out = []
        for key, value in messages.items():
            out.extend(flatten_messages(value, f"{path}.{key}" if path else str(key)))
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [{"field": path or None, "message": m} for m in messages]
    if isinstance(messages, list):
        return [e for i, m in enumerate(messages) for e in flatten_messages(m, f"{path}.{i}")]
    return [{"field": path or None, "message": str(messages)}]


class ServiceApi(flask_smorest.Api):
    """flask-smorest's Api with RFC 9457 problem+json instead of its own error body, documented
    as such (shared.http.api_docs); no catch-all `default` response, each error is listed."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_responses(self):
        register_problem_responses(self.spec)

    def handle_http_exception(self, error: HTTPException):
        data = getattr(error, "data", None) or {}
        # werkzeug's own headers of the error (a 405's Allow), then those the raiser added.
        headers = {
            name: value for name, value in error.get_headers() if name.lower() != "content-type"
        }
        headers.update(data.get("headers") or {})
        messages = data.get("errors") or data.get("messages")
        if messages is not None:
            # webargs nests under the location ({"json": {...}}); the field path is what helps.
            if isinstance(messages, dict) and set(messages) <= WEBARGS_LOCATIONS:
                merged = {}
                for location_messages in messages.values():
                    merged.update(
                        location_messages
                        if isinstance(location_messages, dict)
                        else {"_schema": location_messages}
                    )
                messages = merged
            errors = flatten_messages(messages)
            first = errors[0]
            detail = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
            return problem(
                error.code, error.name, detail, type_="validation", errors=errors, headers=headers
            )
        detail = data.get("message") or error.description
        return problem(error.code or 500, error.name, detail, headers=headers)


def handle_domain_error(error: DomainError):
    errors = [{"field": error.field, "message": error.detail}] if error.field else None
    slug = type(error).__name__.lower()
    return problem(
        error.status, error.title, error.detail, type_=slug, errors=errors, **error.extra
    )


def handle_hostile_input(error: bounds.HostileInput):
    # The path itself may hold the NUL: the instance names it percent-encoded.
    return problem(
        400,
        "Bad request",
        f"{error.field}: {error.message}",
        type_="hostile-input",
        errors=[{"field": error.field, "message": error.message}],
        instance=quote(request.path, safe="/"),
    )


def handle_unexpected(error: Exception):
    log.exception("unhandled error")
    return problem(500, "Internal server error", "The error was logged with this request id.")
