"""For operators: dead letters (/v1/admin/dead-letters) and Prometheus metrics (/metrics)."""

from __future__ import annotations

from flask import Response

from services.notify import dead_letters as dead_letter_log
from services.notify import metrics as metric_figures
from services.notify.schemas import DeadLetterPage, DeadLetterQuery
from shared.http.api_docs import Blueprint
from shared.http.auth import requires
from shared.http.context import service_context

blp = Blueprint(
    "dead_letters", __name__, url_prefix="/v1", description="Messages a consumer could not handle."
)
ops = Blueprint("operations", __name__, description="Metrics for operators.")


@blp.route("/admin/dead-letters")
@requires("admin", action="dead_letters.manage")
@blp.arguments(DeadLetterQuery, location="query")
@blp.response(200, DeadLetterPage)
def dead_letters(query):
    """Messages a consumer could not handle, newest first."""
    with service_context().session_factory() as session:
        return dead_letter_log.dead_letters(
            session, limit=query["limit"], cursor=query.get("cursor")
        )


@ops.route("/metrics")
@requires("admin", action="metrics.read")
@ops.response(
    200,
    {"type": "string"},
    content_type=metric_figures.CONTENT_TYPE,
    description="Prometheus text format.",
)
def metrics():
    """Prometheus text format: deliveries by state, endpoints, dead letters, consumer lag."""
    try:
        lag = metric_figures.consumer_lag()
    except Exception:  # noqa: BLE001 - the broker being down is itself a figure
        lag = None
    with service_context().session_factory() as session:
        text = metric_figures.render(session, lag)
    return Response(text, content_type=metric_figures.CONTENT_TYPE)
