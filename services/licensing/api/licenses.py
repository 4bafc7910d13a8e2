"""Licenses: reading them, their file, verification, the status list and the vendor's
lifecycle actions."""

from __future__ import annotations

from flask import Response

from services.licensing import licenses
from services.licensing.access import get_visible, visible
from services.licensing.api.common import V1, committed, keyring, page
from services.licensing.domain.verification import verify_license
from services.licensing.models import License
from services.licensing.schemas.common import Reason, RequiredReason
from services.licensing.schemas.licenses import (
    LicenseOut,
    LicensePage,
    LicenseQuery,
    Renewal,
    VerificationOut,
    VerifyIn,
)
from shared.db.session import without_transaction
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import current_principal, requires
from shared.http.context import service_context

blp = Blueprint(
    "licenses",
    __name__,
    url_prefix=V1,
    description="Signed licenses, their verification and lifecycle",
)


@blp.get("/licenses")
@requires(action="licenses.read")
@blp.response(200, LicensePage)
@blp.arguments(LicenseQuery, location="query")
def list_licenses(args):
    rows, next_cursor = page(visible(License, current_principal()), args, License)
    return {"items": rows, "next": next_cursor}


@blp.get("/licenses/status-list")
@blp.response(
    200,
    {"type": "string"},
    content_type="application/jwt",
    description="Compact JWS of the revoked and suspended licenses.",
)
def status_list():
    """Signed list of revoked and suspended licenses (compact JWS) for offline verifiers."""
    with service_context().session_factory() as session:
        token = licenses.status_list(session, keyring())
    return Response(token, content_type="application/jwt", headers={"Cache-Control": "max-age=60"})


@blp.post("/licenses/verify")
@blp.response(200, VerificationOut)
@blp.arguments(VerifyIn)
def verify(body):
    """VALID, EXPIRED, NOT_YET_VALID, SUSPENDED, REVOKED, BAD_SIGNATURE, UNKNOWN_KEY,
    MALFORMED or WRONG_CORE; the same function as `ipmarket license verify`."""
    with service_context().session_factory() as session:
        without_transaction(session)  # two reads: the key named, the license's state
        result = verify_license(
            body["license"],
            keyring().active_public_keys(session),
            licenses.license_statuses(session),
            core=body.get("core"),
        )
    return result.as_dict()


@blp.get("/licenses/<id:license_id>")
@requires(action="licenses.read")
@blp.response(200, LicenseOut)
@problems(404)
def get_license(license_id):
    with service_context().session_factory() as session:
        return get_visible(session, current_principal(), License, license_id)


@blp.get("/licenses/<id:license_id>/file")
@requires(action="licenses.read")
@blp.response(
    200, {"type": "string"}, content_type="text/plain", description="The armoured license file."
)
@problems(404)
def license_file(license_id):
    """The armoured license file for offline tools."""
    with service_context().session_factory() as session:
        lic = get_visible(session, current_principal(), License, license_id)
    return Response(
        licenses.license_file(lic),
        content_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="license-{lic.id}.lic"'},
    )


@blp.post("/licenses/<id:license_id>/suspend")
@requires("vendor", action="licenses.suspend")
@blp.response(200, LicenseOut)
@problems(404, 409)
@blp.arguments(RequiredReason)
def suspend_license(body, license_id):
    return committed(licenses.suspend, current_principal(), license_id, body["reason"])


@blp.post("/licenses/<id:license_id>/reinstate")
@requires("vendor", action="licenses.suspend")
@blp.response(200, LicenseOut)
@problems(404, 409)
@blp.arguments(Reason)
def reinstate_license(body, license_id):
    return committed(licenses.reinstate, current_principal(), license_id, body.get("reason"))


@blp.post("/licenses/<id:license_id>/revoke")
@requires("vendor", action="licenses.revoke")
@blp.response(200, LicenseOut)
@problems(404, 409)
@blp.arguments(RequiredReason)
def revoke_license(body, license_id):
    return committed(licenses.revoke, current_principal(), license_id, body["reason"])


@blp.post("/licenses/<id:license_id>/renew")
@requires("vendor", action="licenses.renew")
@blp.response(200, LicenseOut)
@problems(404, 409)
@blp.arguments(Renewal)
def renew_license(body, license_id):
    return committed(
        licenses.renew,
        keyring(),
        current_principal(),
        license_id,
        months=body.get("months"),
        expires_at=body.get("expires_at"),
    )
