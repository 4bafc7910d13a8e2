"""What every service's OpenAPI document says the same way, so that it tells the truth:

- every error is an RFC 9457 problem (`application/problem+json`, the `Problem` schema), and each
  operation lists the statuses it can answer: those its kind always can (401 for a bad key or
  access token, 400/413/415/422 for a JSON body, 422 for query parameters, 403 for a role or an
  organisation the person is not a member of) and those its view declares with `problems(...)`;
- an operation without `requires` is public: `security: []`; one with it takes an API key or a
  person's access token, and declares the Ipmarket-Organisation header;
- a request body is JSON: any other content type is 415 rather than a 422 naming every field.
"""

from __future__ import annotations

import http
from copy import deepcopy

import flask_smorest
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from marshmallow import INCLUDE, Schema, fields
from webargs import core as webargs_core
from webargs.flaskparser import FlaskParser, abort, is_json_request
from werkzeug.routing import BaseConverter

from shared import bounds

PROBLEM_JSON = "application/problem+json"
# What any operation may answer: a malformed, unknown or revoked key is refused even where no key
# is needed, rather than silently ignored (401); a path, query or header no store can hold — a NUL,
# a lone surrogate, an integer past 64 bits — is 400 (shared/bounds.py); a client over its rate is
# 429 (shared/rate_limits.py).
ANY_OPERATION = (400, 401, 429)
# What an operation with a JSON body may answer besides: a body not sent in time (408), too large
# (413), another content type (415), a field at fault (422).
WITH_BODY = (408, 413, 415, 422)


class FieldProblem(Schema):
    field = fields.String(
        allow_none=True,
        metadata={"description": "Path of the field, parameter or header at fault (a.b.0.c)."},
    )
    message = fields.String(required=True)


class ProblemSchema(Schema):
    """RFC 9457 problem details, as every error of the platform is sent; some carry extension
    members (the `state` of what could not change, the id of what exists already)."""

    class Meta:
        unknown = INCLUDE  # documented as additionalProperties: extension members

    type = fields.String(
        required=True,
        metadata={
            "format": "uri-reference",
            "description": ("about:blank, or https://ipmarket.dev/problems/<kind>"),
        },
    )
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    instance = fields.String(metadata={"description": "The request path."})
    request_id = fields.String()
    errors = fields.List(
        fields.Nested(FieldProblem),
        metadata={"description": "Each field at fault, when the input is."},
    )


class StrictBoolean(fields.Boolean):
    """A JSON true or false, as the document says: not 0, 1, "yes" or "true"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class WholeNumber(fields.Integer):
    """A JSON integer, as the document says: 5 or 5.0 (JSON Schema's integer), not "5"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (isinstance(value, float) and not value.is_integer())
        ):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(int(value), attr, data, **kwargs)


def problems(*statuses: int):
    """View decorator: the error statuses the view itself can answer (404, 409, …), besides those
    of its kind listed above."""

    def decorate(view):
        _doc_of(view).setdefault("problems", set()).update(statuses)
        return view

    return decorate


def secured(view, roles: tuple[str, ...], *, may_forbid: bool = False):
    """Marks `view` as needing a key (and a role, when `roles` names any, or an action when
    `may_forbid`): see shared.http.auth.requires."""
    doc = _doc_of(view)
    doc["secured"] = True
    # 403 also for a person who is not a member of the organisation the request acts for
    doc.setdefault("problems", set()).add(403)
    return view


def _doc_of(view) -> dict:
    # flask-smorest keeps each view's documentation in `_apidoc`; decorators copy it, never share.
    view._apidoc = deepcopy(getattr(view, "_apidoc", {}))
    return view._apidoc


# Declared on every secured operation (see shared/access_tokens.py for the rules).
ORGANISATION_PARAMETER = {
    "name": "Ipmarket-Organisation",
    "in": "header",
    "required": False,
    "description": "With a person's access token: the organisation the request acts for, "
    "needed when the person is a member of several (ignored with an API key).",
    "schema": {"type": "string"},
}


class JsonBodyParser(FlaskParser):
    """webargs' parser, but a body sent as anything but JSON is 415, not an empty body, and a
    JSON body is parsed by shared.bounds.loads (no depth, NUL, lone surrogate or integer past
    64 bits gets past it)."""

    def load_json(self, req, schema):
        if not is_json_request(req) and req.get_data(cache=True):
            sent = req.mimetype or "untyped"
            problem = f"the body must be sent as application/json, not {sent}"
            abort(415, messages={"headers": {"Content-Type": [problem]}})
        return super().load_json(req, schema)

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return webargs_core.missing
        return bounds.loads(req.get_data(cache=True))


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint documenting problems and security as described above."""

    ARGUMENTS_PARSER = JsonBodyParser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._prepare_problems_doc)

    @staticmethod
    def _prepare_problems_doc(doc, doc_info, **_):
        statuses = set(ANY_OPERATION) | set(doc_info.get("problems", ()))
        if "requestBody" in doc:
            statuses.update(WITH_BODY)
            body = doc["requestBody"]
            schema = body["content"].get("application/json", {}).get("schema")
            if isinstance(schema, type):
                schema = schema()
            if isinstance(schema, Schema):
                # An empty body is accepted where no field is required (and something may be).
                keywords = getattr(schema.Meta, "json_schema", {})
                alternatives = [*keywords.get("oneOf", ()), *keywords.get("anyOf", ())]
                body["required"] = (
                    any(f.required for f in schema.fields.values())
                    or keywords.get("minProperties", 0) > 0
                    or (bool(alternatives) and all(a.get("required") for a in alternatives))
                )
        if any(p.get("in") == "query" for p in doc.get("parameters", ()) if isinstance(p, dict)):
            statuses.add(422)
        responses = doc.setdefault("responses", {})
        for status in sorted(statuses):
            if status not in responses and str(status) not in responses:
                responses[status] = http.HTTPStatus(status).name
        if not doc_info.get("secured"):
            doc["security"] = []
        else:
            doc.setdefault("parameters", []).append(dict(ORGANISATION_PARAMETER))
        return doc


class IdConverter(BaseConverter):
    """`<id:core_id>`: an id the platform made (a UUID), so that a fixed word beside it in the
    same place (/cores/taxonomy, /cores/import) is never taken for one."""

    regex = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

    @staticmethod
    def documented(_converter) -> dict:
        return {"type": "string", "format": "uuid"}


class SchemaKeywords(MarshmallowPlugin):
    """apispec's marshmallow plugin, adding to a schema's component the JSON Schema keywords its
    `Meta.json_schema` states: rules marshmallow fields cannot say (minProperties, anyOf, if/
    then) but the service enforces, so that the document says them too."""

    def schema_helper(self, name, _, schema=None, **kwargs):
        json_schema = super().schema_helper(name, _, schema=schema, **kwargs)
        cls = resolve_schema_cls(schema) if schema is not None else None
        extra = getattr(getattr(cls, "Meta", None), "json_schema", None)
        return {**json_schema, **extra} if json_schema and extra else json_schema


def register_problem_responses(spec) -> None:
    """One component response per error status, each a Problem as problem+json."""
    for status in http.HTTPStatus:
        if status >= 400:
            spec.components.response(
                status.name,
                {
                    "description": status.phrase,
                    "content": {PROBLEM_JSON: {"schema": ProblemSchema}},
                },
                lazy=True,
            )
