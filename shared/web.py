"""What every service's Flask app has in common: problem+json errors (RFC 9457), bearer-key
authentication against the service's own directory, request ids in JSON logs, /healthz and
/readyz, a body size limit and the OpenAPI document at /openapi.json (flask-smorest).
"""
from __future__ import annotations

import contextvars
import logging
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

import flask_smorest
import sqlalchemy as sa
from flask import Flask, current_app, g, jsonify, request
from marshmallow import Schema, fields
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException

from shared import config
from shared.api_docs import (
    PROBLEM_JSON,
    Blueprint,
    IdConverter,
    ProblemSchema,
    SchemaKeywords,
    register_problem_responses,
    secured,
)
from shared.auth import Principal, RecentPrincipals, hash_api_key
from shared.db import create_engine, session_factory
from shared.errors import DomainError, Forbidden, NotAuthenticated
from shared.kafka import broker_reachable
from shared.unit_of_work import UnitOfWork

PROBLEM_BASE = "https://ipmarket.dev/problems/"
WEBARGS_LOCATIONS = {"json", "query", "headers", "files", "form", "view_args"}
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
log = logging.getLogger(__name__)


# --- logging ---------------------------------------------------------------------------------

class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def configure_logging(service: str) -> None:
    """JSON lines on stderr, each with the service name and the request id."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RequestIdFilter())
    handler.setFormatter(JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        static_fields={"service": service}))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(config.get("IPMARKET_LOG_LEVEL"))
    logging.getLogger("kafka").setLevel(logging.WARNING)


# --- the service context ---------------------------------------------------------------------

@dataclass
class ServiceContext:
    service: str
    engine: sa.Engine
    session_factory: sessionmaker[Session]
    outbox_model: type
    processed_model: type
    principal_for: Callable[[Session, str], Principal | None]
    recent_principals: RecentPrincipals | None = None

    @classmethod
    def connect(cls, service: str, models, principal_for, database_url: str | None = None, *,
                remember_principals_for: float = 0):
        """The context of `service`, on its own database; `models` is the service's models
        module (its OutboxMessage and ProcessedEvent). `remember_principals_for`: seconds a
        principal found for a key may be reused (see RecentPrincipals; 0: look up each time)."""
        engine = create_engine(database_url or config.database_url(service))
        recent = RecentPrincipals(remember_principals_for) if remember_principals_for else None
        return cls(service, engine, session_factory(engine), models.OutboxMessage,
                   models.ProcessedEvent, principal_for, recent)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, self.outbox_model, self.service)

    def principal(self, key_hash: str) -> Principal | None:
        """Who holds the key with this hash (None: unknown or revoked)."""
        if self.recent_principals is not None:
            principal = self.recent_principals.get(key_hash)
            if principal is not None:
                return principal
        with self.session_factory() as session:
            principal = self.principal_for(session, key_hash)
            session.commit()  # a lookup may record the key's last use
        if principal is not None and self.recent_principals is not None:
            self.recent_principals.remember(key_hash, principal)
        return principal


def service_context() -> ServiceContext:
    return current_app.extensions["ipmarket"]


# --- errors as problem+json ------------------------------------------------------------------

def problem(status: int, title: str, detail: str | None = None, *, type_: str | None = None,
            errors: list[dict] | None = None, headers: dict | None = None, **extra):
    body = {"type": PROBLEM_BASE + type_ if type_ else "about:blank", "title": title,
            "status": status, "instance": request.path, "request_id": request_id_var.get()}
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
    as such (shared.api_docs); no catch-all `default` response, each error is listed."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_responses(self):
        register_problem_responses(self.spec)

    def handle_http_exception(self, error: HTTPException):
        data = getattr(error, "data", None) or {}
        # werkzeug's own headers of the error (a 405's Allow), then those the raiser added.
        headers = {name: value for name, value in error.get_headers()
                   if name.lower() != "content-type"}
        headers.update(data.get("headers") or {})
        messages = data.get("errors") or data.get("messages")
        if messages is not None:
            # webargs nests under the location ({"json": {...}}); the field path is what helps.
            if isinstance(messages, dict) and set(messages) <= WEBARGS_LOCATIONS:
                merged = {}
                for location_messages in messages.values():
                    merged.update(location_messages if isinstance(location_messages, dict)
                                  else {"_schema": location_messages})
                messages = merged
            errors = flatten_messages(messages)
            first = errors[0]
            detail = (f"{first['field']}: {first['message']}" if first["field"]
                      else first["message"])
            return problem(error.code, error.name, detail, type_="validation", errors=errors,
                           headers=headers)
        detail = data.get("message") or error.description
        return problem(error.code or 500, error.name, detail, headers=headers)


def _handle_domain_error(error: DomainError):
    errors = [{"field": error.field, "message": error.detail}] if error.field else None
    slug = type(error).__name__.lower()
    return problem(error.status, error.title, error.detail, type_=slug, errors=errors,
                   **error.extra)


def _handle_unexpected(error: Exception):
    log.exception("unhandled error")
    return problem(500, "Internal server error", "The error was logged with this request id.")


# --- authentication --------------------------------------------------------------------------

def _authenticate() -> None:
    g.principal = None
    header = request.headers.get("Authorization")
    if header is None:
        return
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise NotAuthenticated("Authorization must be 'Bearer <API key>'")
    principal = service_context().principal(hash_api_key(key.strip()))
    if principal is None:
        raise NotAuthenticated("unknown or revoked API key")
    g.principal = principal


def current_principal() -> Principal:
    if g.get("principal") is None:
        raise NotAuthenticated("this endpoint needs 'Authorization: Bearer <API key>'")
    return g.principal


def requires(*roles: str):
    """View decorator: an authenticated principal with one of `roles` (admins always pass)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            principal = current_principal()
            if roles and not principal.is_admin and not principal.roles & set(roles):
                raise Forbidden(f"this needs the role {' or '.join(roles)}")
            return view(*args, **kwargs)

        return secured(wrapper, roles)

    return decorate


# --- health ----------------------------------------------------------------------------------

health = Blueprint("health", __name__, description="Liveness and readiness, for orchestrators.")


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["alive"]})
    service = fields.String(required=True)


class ReadinessSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["ready", "not ready"]})
    checks = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                         metadata={"description": "Each dependency: ok, or why not."})
    service = fields.String(required=True)


@health.get("/healthz")
@health.response(200, HealthSchema)
def healthz():
    return {"status": "alive", "service": service_context().service}


@health.get("/readyz")
@health.response(200, ReadinessSchema)
@health.alt_response(503, schema=ReadinessSchema, description="Not ready: see `checks`.")
def readyz():
    checks = {}
    try:
        with service_context().engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        checks["database"] = f"unreachable: {type(exc).__name__}"
    checks["kafka"] = "ok" if broker_reachable(timeout=0.5) else "unreachable"
    ready = all(v == "ok" for v in checks.values())
    body = {"status": "ready" if ready else "not ready", "checks": checks,
            "service": service_context().service}
    return body, 200 if ready else 503


# --- the app ---------------------------------------------------------------------------------

def create_service_app(context: ServiceContext, *, title: str, blueprints: list,
                       description: str = "") -> Flask:
    app = Flask(context.service)
    app.config.update(
        API_TITLE=title,
        API_VERSION="1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={"info": {"description": description},
                          "components": {"securitySchemes": {
                              "apiKey": {"type": "http", "scheme": "bearer"}}},
                          "security": [{"apiKey": []}]},
        MAX_CONTENT_LENGTH=config.get("IPMARKET_MAX_BODY_BYTES"),
    )
    app.json.ensure_ascii = False  # Chinese names stay readable in responses
    app.json.sort_keys = False  # fields in their schema's order, and no sorting per response
    app.extensions["ipmarket"] = context
    app.url_map.converters["id"] = IdConverter
    api = ServiceApi(app, spec_kwargs={"marshmallow_plugin": SchemaKeywords()})
    api.register_converter(IdConverter, IdConverter.documented)
    app.register_error_handler(DomainError, _handle_domain_error)
    app.register_error_handler(Exception, _handle_unexpected)
    for blueprint in [health, *blueprints]:
        api.register_blueprint(blueprint)

    @app.before_request
    def _begin():
        request_id_var.set(request.headers.get("X-Request-Id") or uuid.uuid4().hex)
        g.started = time.perf_counter()
        _authenticate()

    @app.after_request
    def _finish(response):
        response.headers["X-Request-Id"] = request_id_var.get()
        log.info("%s %s %s", request.method, request.path, response.status_code,
                 extra={"status": response.status_code,
                        "duration_ms": round((time.perf_counter() - g.get("started", 0)) * 1e3,
                                             2)})
        return response

    return app
