"""What every service's Flask app has in common: problem+json errors (RFC 9457), bearer-key
authentication against the service's own directory, request ids in JSON logs, /healthz and
/readyz (the database), a body size limit and the OpenAPI document at /openapi.json
(flask-smorest).
"""
from __future__ import annotations

import contextvars
import ipaddress
import logging
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import quote

import flask_smorest
import sqlalchemy as sa
from flask import Flask, current_app, g, jsonify, request
from flask.json.provider import DefaultJSONProvider
from marshmallow import Schema, fields
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException

from shared import bounds, config
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
from shared.db import check_database, create_engine, session_factory
from shared.errors import DomainError, Forbidden, NotAuthenticated
from shared.rate_limits import RateLimiter
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
    rate_limit_model: type | None = None

    @classmethod
    def connect(cls, service: str, models, principal_for, database_url: str | None = None, *,
                remember_principals_for: float = 0):
        """The context of `service`, on its own database; `models` is the service's models
        module (its OutboxMessage and ProcessedEvent). `remember_principals_for`: seconds a
        principal found for a key may be reused (see RecentPrincipals; 0: look up each time)."""
        engine = create_engine(database_url or config.database_url(service))
        recent = RecentPrincipals(remember_principals_for) if remember_principals_for else None
        return cls(service, engine, session_factory(engine), models.OutboxMessage,
                   models.ProcessedEvent, principal_for, recent, models.RateLimitCounter)

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


def _handle_hostile_input(error: bounds.HostileInput):
    # The path itself may hold the NUL: the instance names it percent-encoded.
    return problem(400, "Bad request", f"{error.field}: {error.message}", type_="hostile-input",
                   errors=[{"field": error.field, "message": error.message}],
                   instance=quote(request.path, safe="/"))


def _handle_unexpected(error: Exception):
    log.exception("unhandled error")
    return problem(500, "Internal server error", "The error was logged with this request id.")


# --- input no store can hold ----------------------------------------------------------------

class BoundedJSONProvider(DefaultJSONProvider):
    """request.get_json() through shared.bounds.loads: no depth, NUL, lone surrogate or
    integer past 64 bits gets past the parser."""

    def loads(self, s, **kwargs):
        return bounds.loads(s)


def _refuse_hostile_url_parts() -> None:
    """Path, query and header values no store can hold: %00 in an id, an int past 64 bits."""
    if request.view_args is None and (problem_ := bounds.text_problem(request.path)):
        # No route took it (an id that cannot be a UUID does not match one): name the path.
        raise bounds.HostileInput("path", problem_)
    for name, value in (request.view_args or {}).items():
        if isinstance(value, int) and not bounds.INT64_MIN <= value <= bounds.INT64_MAX:
            raise bounds.HostileInput(name, "must be a 64-bit integer")
        if isinstance(value, str) and (problem_ := bounds.text_problem(value)):
            raise bounds.HostileInput(name, problem_)
    for name, value in request.args.items(multi=True):
        if problem_ := bounds.text_problem(name):
            raise bounds.HostileInput("query", f"a parameter's name {problem_}")
        if problem_ := bounds.text_problem(value):
            raise bounds.HostileInput(name, problem_)
    for name, value in request.headers.items():
        if "\x00" in value:
            raise bounds.HostileInput(name, "must not contain NUL characters")


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


# --- rate limits -----------------------------------------------------------------------------

def _rate_limit_buckets(rates: dict) -> list:
    """Who this request counts against: its key and its address, or, without a key, its
    address under the stricter anonymous rate (IPv6 clients by their /64, which one host or
    network usually holds whole)."""
    address = request.remote_addr or "-"
    if ":" in address:
        address = str(ipaddress.ip_network(f"{address}/64", strict=False))
    _, _, key = (request.headers.get("Authorization") or "").partition(" ")
    if key.strip():  # counted before authentication: unknown keys are limited too
        return [(f"key:{hash_api_key(key.strip())[:40]}", rates["PER_KEY"]),
                (f"address:{address}", rates["PER_ADDRESS"])]
    return [(f"anonymous:{address}", rates["ANONYMOUS"])]


def _limit_rate(limiter: RateLimiter, rates: dict, delay: float):
    """Count the request; a problem+json 429 with Retry-After when over a limit."""
    g.rate_limit = verdict = limiter.hit(_rate_limit_buckets(rates))
    if not verdict.allowed:
        if delay and _cooperative():
            # A client that ignores Retry-After gets at most one answer per `delay` per
            # connection (and its connections per address are capped): cheap refusals alone
            # still let a tight loop take the worker from every other client. A greenlet
            # waiting costs nothing; a thread (SQLite's worker) would, so it answers at once.
            time.sleep(delay)
        return problem(429, "Too Many Requests",
                       f"at most {verdict.rate.requests} requests per {verdict.rate.seconds} s; "
                       f"retry after {verdict.reset_after} s", type_="rate-limited",
                       headers=verdict.headers())
    return None


def _cooperative() -> bool:
    """Whether this process runs requests as greenlets (gunicorn's gevent worker)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("time")


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
    """Ready when the database answers, within 3 s either way. Only the database: a request
    needs nothing else (events wait in the outbox while Kafka is away; the relays and consumers
    watch the broker)."""
    try:
        check_database(service_context().engine)
        checks = {"database": "ok"}
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        checks = {"database": f"unreachable: {type(exc).__name__}"}
    ready = checks["database"] == "ok"
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
    app.json = BoundedJSONProvider(app)
    app.json.ensure_ascii = False  # Chinese names stay readable in responses
    app.json.sort_keys = False  # fields in their schema's order, and no sorting per response
    app.extensions["ipmarket"] = context
    app.url_map.converters["id"] = IdConverter
    api = ServiceApi(app, spec_kwargs={"marshmallow_plugin": SchemaKeywords()})
    api.register_converter(IdConverter, IdConverter.documented)
    app.register_error_handler(DomainError, _handle_domain_error)
    app.register_error_handler(bounds.HostileInput, _handle_hostile_input)
    app.register_error_handler(Exception, _handle_unexpected)
    for blueprint in [health, *blueprints]:
        api.register_blueprint(blueprint)
    limiter = (RateLimiter(context.engine, context.rate_limit_model.__table__)
               if config.get("IPMARKET_RATE_LIMITS") and context.rate_limit_model else None)
    rates = {name: config.get(f"IPMARKET_RATE_LIMIT_{name}")
             for name in ("PER_KEY", "PER_ADDRESS", "ANONYMOUS")}
    refusal_delay = config.get("IPMARKET_RATE_LIMIT_DELAY_SECONDS")

    @app.before_request
    def _begin():
        request_id_var.set(request.headers.get("X-Request-Id") or uuid.uuid4().hex)
        g.started = time.perf_counter()
        _refuse_hostile_url_parts()
        if limiter is not None and request.blueprint != "health":  # probes are never limited
            refused = _limit_rate(limiter, rates, refusal_delay)
            if refused is not None:
                return refused
        _authenticate()
        return None

    @app.after_request
    def _finish(response):
        response.headers["X-Request-Id"] = request_id_var.get()
        if g.get("rate_limit") is not None:
            response.headers.update(g.rate_limit.headers())
        log.info("%s %s %s", request.method, request.path, response.status_code,
                 extra={"status": response.status_code,
                        "duration_ms": round((time.perf_counter() - g.get("started", 0)) * 1e3,
                                             2)})
        return response

    return app
