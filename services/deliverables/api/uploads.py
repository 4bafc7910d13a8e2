"""/v1/cores/{core_id}/uploads, /v1/uploads/{upload_id}[/parts/{number}, /complete] and
/v1/cores/{core_id}/deliverables: a vendor's files arrive in parts and become deliverables."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from flask import current_app, request
from flask.views import MethodView

from services.deliverables import files, unfinished_uploads, uploads
from services.deliverables.schemas.uploads import (
    DeliverableOut,
    DeliverablePage,
    OpenUploadPage,
    ReceivedPartOut,
    UploadIn,
    UploadOut,
)
from shared import config
from shared.db.schema import utcnow
from shared.errors import UnsupportedMediaType
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import current_principal, requires
from shared.http.context import service_context

blp = Blueprint(
    "uploads",
    __name__,
    url_prefix="/v1",
    description="Uploads of a core version's files, in resumable parts, and the deliverables.",
)
UPLOAD = "deliverables.upload"
OCTET_STREAM = "application/octet-stream"
OCTETS = {
    "required": True,
    "content": {OCTET_STREAM: {"schema": {"type": "string", "format": "binary"}}},
}


def _store():
    return current_app.extensions["deliverables_store"]


def _limits() -> uploads.UploadLimits:
    return uploads.UploadLimits(
        config.get("IPMARKET_DELIVERABLE_MAX_BYTES"), config.get("IPMARKET_DELIVERABLE_PART_BYTES")
    )


def _upload_view(upload) -> dict:
    plan = uploads.plan_of(upload)
    parts = uploads.received_parts(_store(), upload)
    return {
        **{c: getattr(upload, c) for c in ("upload_id", "core_id", "kind", "file_name")},
        **{c: getattr(upload, c) for c in ("size", "sha256", "state", "protection")},
        "part_size": plan.part_size,
        "part_count": plan.part_count,
        "parts": [{"number": p.number, "size": p.size} for p in parts],
        "missing": plan.missing({p.number for p in parts}) if upload.state == "open" else [],
        "created_at": upload.created_at,
    }


@blp.route("/cores/<id:core_id>/uploads")
class CoreUploads(MethodView):
    @requires("vendor", action=UPLOAD)
    @blp.arguments(UploadIn)
    @blp.response(201, UploadOut)
    @problems(404)
    def post(self, body, core_id):
        """Declare a file of one of your core versions; then send its parts."""
        upload = uploads.start_upload(
            service_context().unit_of_work(),
            _store(),
            current_principal(),
            _limits(),
            core_id=core_id,
            **body,
        )
        return _upload_view(upload)


@blp.route("/uploads")
class OpenUploads(MethodView):
    @requires("vendor", action="cores.read_drafts")
    @blp.response(200, OpenUploadPage)
    def get(self):
        """Your organisation's uploads still open (to resume or abort), oldest first, each with
        the moment it expires unfinished; in one page."""
        expiry = timedelta(hours=config.get("IPMARKET_DELIVERABLE_UPLOAD_EXPIRY_HOURS"))
        with service_context().session_factory() as session:
            found = unfinished_uploads.open_uploads(session, current_principal())
            items = [
                {
                    **{c: getattr(u, c) for c in ("upload_id", "core_id", "kind", "file_name")},
                    "size": u.size,
                    "created_at": u.created_at,
                    "expires_at": u.created_at + expiry,
                }
                for u in found
            ]
        return {"items": items, "next": None}


@blp.route("/uploads/<id:upload_id>")
class OneUpload(MethodView):
    @requires("vendor", action=UPLOAD)
    @blp.response(200, UploadOut)
    @problems(404)
    def get(self, upload_id):
        """The upload and the parts received so far: an interrupted upload resumes from here."""
        with service_context().session_factory() as session:
            upload = uploads.upload_of(session, current_principal(), upload_id)
            return _upload_view(upload)

    @requires("vendor", action=UPLOAD)
    @blp.response(204)
    @problems(404, 409)
    def delete(self, upload_id):
        """Abort an open upload: no part is taken after this, and the parts received are
        deleted (409 if it was completed already)."""
        unfinished_uploads.abort_upload(
            service_context().session_factory, _store(), current_principal(), upload_id
        )


@blp.route("/uploads/<id:upload_id>/parts/<int:number>")
class UploadPart(MethodView):
    @requires("vendor", action=UPLOAD)
    @blp.doc(requestBody=OCTETS)
    @blp.response(200, ReceivedPartOut)
    @problems(404, 408, 409, 411, 413, 415, 422)
    def put(self, upload_id, number):
        """Send part `number` (1-based) as the raw body (application/octet-stream): exactly its
        size (`part_size`, the last part the rest), streamed; a part sent again replaces the
        earlier copy."""
        if request.mimetype not in (OCTET_STREAM, ""):
            raise UnsupportedMediaType(
                f"a part is sent as {OCTET_STREAM}, not {request.mimetype}", field="Content-Type"
            )
        length = request.content_length
        if length is not None:
            # The use case bounds it by the part's size; +1: it reads one byte past the
            # announced length to notice a longer body, which werkzeug would refuse as 413
            # where the server marks the input terminated (gunicorn).
            request.max_content_length = length + 1
        part = uploads.upload_part(
            service_context().session_factory,
            _store(),
            current_principal(),
            upload_id=upload_id,
            number=number,
            content_length=length,
            body=request.stream,
        )
        return asdict(part)


@blp.route("/uploads/<id:upload_id>/complete")
class CompleteUpload(MethodView):
    @requires("vendor", action=UPLOAD)
    @blp.response(201, DeliverableOut)
    @problems(404, 409, 422)
    def post(self, upload_id):
        """Join the parts and check the file's SHA-256: a match becomes a deliverable, a
        mismatch is discarded (422 naming `sha256`)."""
        return uploads.complete_upload(
            service_context().unit_of_work(), _store(), current_principal(), upload_id, utcnow()
        )


@blp.route("/cores/<id:core_id>/deliverables")
class CoreDeliverables(MethodView):
    @requires("vendor", action="cores.read_drafts")
    @blp.response(200, DeliverablePage)
    @problems(404)
    def get(self, core_id):
        """The files of one of your core versions, every revision, in one page."""
        with service_context().session_factory() as session:
            return {
                "items": files.deliverables_of(session, current_principal(), core_id),
                "next": None,
            }
