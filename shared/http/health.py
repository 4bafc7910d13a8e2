"""/healthz and /readyz, for orchestrators."""

from __future__ import annotations

from marshmallow import Schema, fields

from shared.db.engine import check_database
from shared.http.api_docs import Blueprint
from shared.http.context import service_context

health = Blueprint("health", __name__, description="Liveness and readiness, for orchestrators.")


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["alive"]})
    service = fields.String(required=True)


class ReadinessSchema(Schema):
    status = fields.String(required=True, metadata={"enum": ["ready", "not ready"]})
    checks = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "Each dependency: ok, or why not."},
    )
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
    body = {
        "status": "ready" if ready else "not ready",
        "checks": checks,
        "service": service_context().service,
    }
    return body, 200 if ready else 503
