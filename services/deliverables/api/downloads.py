"""/v1/recipient-keys (a licensee's age public keys), /v1/deliverables/{id}/content (a file,
encrypted to those keys, for a licensee whose license is in force) and the download audit:
/v1/cores/{core_id}/downloads for the vendor, /v1/downloads for the licensee."""

from __future__ import annotations

from flask import Response, current_app, request
from flask.views import MethodView

from services.deliverables import downloads, entitlement, recipients
from services.deliverables.encryption import encrypted, parse_recipient
from services.deliverables.schemas.downloads import (
    DownloadPage,
    RecipientKeyIn,
    RecipientKeyOut,
    RecipientKeyPage,
)
from shared.db.schema import utcnow
from shared.errors import Conflict
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import current_principal, requires
from shared.http.context import service_context

blp = Blueprint(
    "downloads",
    __name__,
    url_prefix="/v1",
    description="Licensees' age keys, and deliverables downloaded encrypted to them.",
)
AGE = "application/octet-stream"


@blp.route("/recipient-keys")
class RecipientKeys(MethodView):
    @requires("licensee", action="organisation.change")
    @blp.arguments(RecipientKeyIn)
    @blp.response(201, RecipientKeyOut)
    @problems(409)
    def post(self, body):
        """Register an age X25519 public key (`age1…`): downloads are encrypted to every key."""
        return recipients.register_key(
            service_context().unit_of_work(), current_principal(), **body
        )

    @requires("licensee", action="organisation.read")
    @blp.response(200, RecipientKeyPage)
    def get(self):
        """Your organisation's keys, oldest first, in one page."""
        with service_context().session_factory() as session:
            keys = recipients.keys_of(session, current_principal().organisation_id)
            return {"items": keys, "next": None}


@blp.route("/recipient-keys/<id:key_id>")
class OneRecipientKey(MethodView):
    @requires("licensee", action="organisation.change")
    @blp.response(204)
    @problems(404)
    def delete(self, key_id):
        with service_context().session_factory() as session, session.begin():
            recipients.remove_key(session, current_principal(), key_id)


@blp.route("/deliverables/<id:deliverable_id>/content")
class DeliverableContent(MethodView):
    @requires("licensee", action="deliverables.download")
    @blp.response(200, {"type": "string", "format": "binary"}, content_type=AGE)
    @problems(403, 404, 409)
    def get(self, deliverable_id):
        """The file, encrypted with age to every key of your organisation (decrypt with any age
        tool and one of your identities), while your license for its core version is in force."""
        principal = current_principal()
        now = utcnow()
        with service_context().session_factory() as session:
            deliverable, license = entitlement.entitled_deliverable(
                session, principal, deliverable_id, now
            )
            keys = recipients.keys_of(session, principal.organisation_id)
            session.expunge_all()
        if not keys:
            raise Conflict("register an age public key first (POST /v1/recipient-keys)",
                           field="recipient_keys")  # fmt: skip
        downloads.record_download(
            service_context().unit_of_work(), principal, deliverable, license,
            request.remote_addr or "unknown", now,
        )  # fmt: skip
        store = current_app.extensions["deliverables_store"]
        chunks = store.get(deliverable.object_key)
        body = encrypted(chunks, [parse_recipient(key.public_key) for key in keys])
        return Response(
            body,
            mimetype=AGE,
            headers={
                "Content-Disposition": f'attachment; filename="{deliverable.file_name}.age"',
                "X-Plaintext-SHA256": deliverable.sha256,
            },
        )


@blp.route("/cores/<id:core_id>/downloads")
class CoreDownloads(MethodView):
    @requires("vendor", action="cores.read_drafts")
    @blp.response(200, DownloadPage)
    @problems(404)
    def get(self, core_id):
        """Every copy of one of your core versions' files that left: who, under which license,
        from which address; newest first, in one page."""
        with service_context().session_factory() as session:
            return {
                "items": downloads.downloads_of_core(session, current_principal(), core_id),
                "next": None,
            }


@blp.route("/downloads")
class OwnDownloads(MethodView):
    @requires("licensee", action="organisation.read")
    @blp.response(200, DownloadPage)
    def get(self):
        """Your organisation's downloads, newest first, in one page."""
        with service_context().session_factory() as session:
            return {"items": downloads.downloads_by(session, current_principal()), "next": None}
