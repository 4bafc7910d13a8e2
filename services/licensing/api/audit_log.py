"""The audit log: who did what to which request, license or order."""

from __future__ import annotations

from services.licensing import audit
from services.licensing.api.common import V1
from services.licensing.schemas.audit_log import AuditPage, AuditQuery
from shared.http.api_docs import Blueprint
from shared.http.auth import current_principal, requires
from shared.http.context import service_context

blp = Blueprint("audit_log", __name__, url_prefix=V1, description="The audit log")


@blp.get("/audit")
@requires(action="audit.read")
@blp.response(200, AuditPage)
@blp.arguments(AuditQuery, location="query")
def audit_log(args):
    cursor = args.pop("cursor", None)
    if cursor is not None:
        args["after"] = int(cursor)
    with service_context().session_factory() as session:
        entries = audit.entries_for(session, current_principal(), **args)
    next_cursor = str(entries[-1]["seq"]) if len(entries) == args["limit"] else None
    return {"next": next_cursor, "items": entries}
