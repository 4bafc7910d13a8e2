"""What every service's Flask app has in common: problem+json errors (RFC 9457), bearer-key
authentication against the service's own directory, request ids in JSON logs, /healthz and
/readyz (the database), a body size limit and the OpenAPI document at /openapi.json
(flask-smorest).
"""

from __future__ import annotations

import logging
import time
import uuid

import orjson
from flask import Flask, Response, g, request
from flask.json.provider import DefaultJSONProvider

from shared import bounds, config
from shared.errors import DomainError
from shared.http.api_docs import IdConverter, SchemaKeywords
from shared.http.auth import authenticate
from shared.http.health import health
from shared.http.problems import (
    ServiceApi,
    handle_domain_error,
    handle_hostile_input,
    handle_unexpected,
)
from shared.http.rate_limiting import limit_rate
from shared.rate_limits import RateLimiter
from shared.runtime import ServiceContext, request_id_var

log = logging.getLogger(__name__)


class BoundedJSONProvider(DefaultJSONProvider):
    """Responses written by orjson; request bodies read through shared.bounds.loads, so that no
    depth, NUL, lone surrogate or integer past 64 bits gets past the parser.

    orjson rather than the standard library's encoder: writing a search's answer with it took
    a tenth of the time (bench/portal.py). The bodies are what DefaultJSONProvider wrote with
    this app's settings: fields in their schema's order, UTF-8 as it is (Chinese names stay
    readable), compact; dates, dataclasses and Decimals go to Flask's own conversions."""

    OPTIONS = (
        orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
    )
    ensure_ascii = sort_keys = False  # for a dumps() given the standard library's options

    def dumps(self, obj, **kwargs) -> str:
        if kwargs:  # indent, separators… (the OpenAPI document)
            return super().dumps(obj, **kwargs)
        return orjson.dumps(obj, default=self.default, option=self.OPTIONS).decode()

    def response(self, *args, **kwargs) -> Response:
        option = self.OPTIONS | orjson.OPT_APPEND_NEWLINE
        if (self.compact is None and self._app.debug) or self.compact is False:
            option |= orjson.OPT_INDENT_2
        body = orjson.dumps(self._prepare_response_obj(args, kwargs), self.default, option)
        return self._app.response_class(body, mimetype=self.mimetype)

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


BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": (
        "API key or access token: an organisation's API key (ipm_…), or a person's access "
        "token from the catalog's POST /v1/sessions (a JWS signed with EdDSA, valid for minutes)"
        " — with it, the header Ipmarket-Organisation names the organisation the request acts "
        "for when the person is a member of several."
    ),
}


def create_service_app(
    context: ServiceContext, *, title: str, blueprints: list, description: str = ""
) -> Flask:
    app = Flask(context.service)
    app.config.update(
        API_TITLE=title,
        API_VERSION="1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {"description": description},
            "components": {"securitySchemes": {"apiKey": BEARER_SCHEME}},
            "security": [{"apiKey": []}],
        },
        MAX_CONTENT_LENGTH=config.get("IPMARKET_MAX_BODY_BYTES"),
    )
    app.json = BoundedJSONProvider(app)
    app.extensions["ipmarket"] = context
    app.url_map.converters["id"] = IdConverter
    api = ServiceApi(app, spec_kwargs={"marshmallow_plugin": SchemaKeywords()})
    api.register_converter(IdConverter, IdConverter.documented)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(bounds.HostileInput, handle_hostile_input)
    app.register_error_handler(Exception, handle_unexpected)
    for blueprint in [health, *blueprints]:
        api.register_blueprint(blueprint)
    limiter = (
        RateLimiter(context.engine, context.rate_limit_model.__table__)
        if config.get("IPMARKET_RATE_LIMITS") and context.rate_limit_model
        else None
    )
    rates = {
        name: config.get(f"IPMARKET_RATE_LIMIT_{name}")
        for name in ("PER_KEY", "PER_ADDRESS", "ANONYMOUS")
    }
    refusal_delay = config.get("IPMARKET_RATE_LIMIT_DELAY_SECONDS")

    @app.before_request
    def _begin():
        request_id_var.set(request.headers.get("X-Request-Id") or uuid.uuid4().hex)
        g.started = time.perf_counter()
        _refuse_hostile_url_parts()
        if limiter is not None and request.blueprint != "health":  # probes are never limited
            refused = limit_rate(limiter, rates, refusal_delay)
            if refused is not None:
                return refused
        authenticate()
        return None

    @app.after_request
    def _finish(response):
        response.headers["X-Request-Id"] = request_id_var.get()
        if g.get("rate_limit") is not None:
            response.headers.update(g.rate_limit.headers())
        log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - g.get("started", 0)) * 1e3, 2),
            },
        )
        return response

    return app
