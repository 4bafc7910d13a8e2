"""HTTP API of the licensing service. Handlers are thin: parse → call the domain → serialise."""
from __future__ import annotations

from datetime import datetime

from flask import Response, current_app, request

from services.licensing import audit, license_requests, licenses, rule_sets
from services.licensing.access import get_visible, visible
from services.licensing.domain.verification import verify_license
from services.licensing.models import License, LicenseRequest
from services.licensing.schemas import (
    AuditPage,
    AuditQuery,
    Comment,
    Jwks,
    LicenseOut,
    LicensePage,
    LicenseQuery,
    LicenseRequestIn,
    LicenseRequestOut,
    Reason,
    Renewal,
    RequestPage,
    RequestQuery,
    RequiredComment,
    RequiredReason,
    ReviewDecision,
    RuleSetIn,
    RuleSetOut,
    VerificationOut,
    VerifyIn,
)
from services.licensing.signing import Keyring
from shared.db.session import without_transaction
from shared.errors import Invalid
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import current_principal, requires
from shared.http.context import service_context

blp = Blueprint("licensing", __name__, description="License requests and licenses")
IDEMPOTENCY_KEY = {"in": "header", "name": "Idempotency-Key", "required": False,
                   "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                   "description": "Makes a retry safe: the same key and body answer what the "
                                  "first request made."}


def _keyring() -> Keyring:
    return current_app.extensions["licensing.keyring"]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def request_view(r: LicenseRequest) -> dict:
    return {"id": r.id, "state": r.state, "licensee_id": r.licensee_id,
            "vendor_id": r.vendor_id, "core_id": r.core_id, "vlnv": r.vlnv,
            "version_constraint": r.version_constraint, "offer_id": r.offer_id,
            "offer_kind": r.offer["kind"], "project_name": r.project_name,
            "intended_use": r.intended_use, "end_use_country": r.end_use_country,
            "screening": r.screening, "decision_comment": r.decision_comment,
            "comments": r.comments,
            "license_id": r.license_id, "created_at": _iso(r.created_at),
            "expires_at": _iso(r.expires_at), "updated_at": _iso(r.updated_at)}


def license_view(lic: License) -> dict:
    return {"id": lic.id, "state": lic.state, "state_reason": lic.state_reason,
            "request_id": lic.request_id, "licensee_id": lic.licensee_id,
            "vendor_id": lic.vendor_id, "core_id": lic.core_id, "claims": lic.claims,
            "kid": lic.kid, "token": lic.token, "not_before": _iso(lic.not_before),
            "expires_at": _iso(lic.expires_at), "issued_at": _iso(lic.issued_at),
            "updated_at": _iso(lic.updated_at)}


def rule_set_view(rs) -> dict:
    return {"version": rs.version, "rules": rs.rules, "embargoed": rs.embargoed,
            "comment": rs.comment, "created_by": rs.created_by, "created_at": _iso(rs.created_at)}


def _committed(change, *args, **kwargs):
    """Run a domain change in a unit of work and commit it."""
    with service_context().unit_of_work() as uow:
        result = change(uow, *args, **kwargs)
        uow.commit()
    return result


def _page(query, args, model):
    if args.get("state"):
        query = query.where(model.state == args["state"])
    with service_context().session_factory() as session:
        rows = session.scalars(query.order_by(model.id).limit(args["limit"])
                               .offset(args["offset"])).all()
    return rows


# --- license requests ------------------------------------------------------------------------

@blp.post("/license-requests")
@requires("licensee")
@blp.response(201, LicenseRequestOut)
@blp.alt_response(200, schema=LicenseRequestOut, success=True,
                  description="The request made before with this Idempotency-Key.")
@blp.doc(parameters=[IDEMPOTENCY_KEY])
@blp.arguments(LicenseRequestIn())  # an instance: webargs would build one per request
def submit_request(body):
    """Request a license; `Idempotency-Key` makes a retry safe."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 1 <= len(key) <= 200:
        raise Invalid("Idempotency-Key must be 1 to 200 characters", field="Idempotency-Key")
    created, is_new = license_requests.submit_request(
        service_context().unit_of_work, _keyring(), current_principal(), body, key)
    return request_view(created), 201 if is_new else 200


@blp.get("/license-requests")
@requires()
@blp.response(200, RequestPage)
@blp.arguments(RequestQuery, location="query")
def list_requests(args):
    rows = _page(visible(LicenseRequest, current_principal()), args, LicenseRequest)
    return {"items": [request_view(r) for r in rows]}


@blp.get("/license-requests/<id:request_id>")
@requires()
@blp.response(200, LicenseRequestOut)
@problems(404)
def get_request(request_id):
    with service_context().session_factory() as session:
        return request_view(get_visible(session, current_principal(), LicenseRequest,
                                        request_id))


@blp.post("/license-requests/<id:request_id>/approve")
@requires("vendor")
@blp.response(200, LicenseRequestOut)
@problems(404, 409)
@blp.arguments(Comment)
def approve_request(body, request_id):
    return request_view(_committed(license_requests.approve, _keyring(), current_principal(),
                                   request_id, body.get("comment")))


@blp.post("/license-requests/<id:request_id>/reject")
@requires("vendor")
@blp.response(200, LicenseRequestOut)
@problems(404, 409)
@blp.arguments(RequiredComment)
def reject_request(body, request_id):
    return request_view(_committed(license_requests.reject, current_principal(), request_id,
                                   body["comment"]))


@blp.post("/license-requests/<id:request_id>/review")
@requires("admin")
@blp.response(200, LicenseRequestOut)
@problems(404, 409)
@blp.arguments(ReviewDecision)
def review_request(body, request_id):
    """An admin's decision on a request that screening sent to review."""
    return request_view(_committed(license_requests.decide_review, _keyring(),
                                   current_principal(), request_id, body["outcome"],
                                   body["comment"]))


# --- licenses --------------------------------------------------------------------------------

@blp.get("/licenses")
@requires()
@blp.response(200, LicensePage)
@blp.arguments(LicenseQuery, location="query")
def list_licenses(args):
    rows = _page(visible(License, current_principal()), args, License)
    return {"items": [license_view(lic) for lic in rows]}


@blp.get("/licenses/status-list")
@blp.response(200, {"type": "string"}, content_type="application/jwt",
              description="Compact JWS of the revoked and suspended licenses.")
def status_list():
    """Signed list of revoked and suspended licenses (compact JWS) for offline verifiers."""
    with service_context().session_factory() as session:
        token = licenses.status_list(session, _keyring())
    return Response(token, content_type="application/jwt",
                    headers={"Cache-Control": "max-age=60"})


@blp.post("/licenses/verify")
@blp.response(200, VerificationOut)
@blp.arguments(VerifyIn)
def verify(body):
    """VALID, EXPIRED, NOT_YET_VALID, SUSPENDED, REVOKED, BAD_SIGNATURE, UNKNOWN_KEY,
    MALFORMED or WRONG_CORE; the same function as `ipmarket license verify`."""
    with service_context().session_factory() as session:
        without_transaction(session)  # two reads: the key named, the license's state
        result = verify_license(body["license"], _keyring().active_public_keys(session),
                                licenses.license_statuses(session), core=body.get("core"))
    return result.as_dict()


@blp.get("/licenses/<id:license_id>")
@requires()
@blp.response(200, LicenseOut)
@problems(404)
def get_license(license_id):
    with service_context().session_factory() as session:
        return license_view(get_visible(session, current_principal(), License, license_id))


@blp.get("/licenses/<id:license_id>/file")
@requires()
@blp.response(200, {"type": "string"}, content_type="text/plain",
              description="The armoured license file.")
@problems(404)
def license_file(license_id):
    """The armoured license file for offline tools."""
    with service_context().session_factory() as session:
        lic = get_visible(session, current_principal(), License, license_id)
    return Response(licenses.license_file(lic), content_type="text/plain; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="license-{lic.id}.lic"'})


@blp.post("/licenses/<id:license_id>/suspend")
@requires("vendor")
@blp.response(200, LicenseOut)
@problems(404, 409)
@blp.arguments(RequiredReason)
def suspend_license(body, license_id):
    return license_view(_committed(licenses.suspend, current_principal(), license_id,
                                   body["reason"]))


@blp.post("/licenses/<id:license_id>/reinstate")
@requires("vendor")
@blp.response(200, LicenseOut)
@problems(404, 409)
@blp.arguments(Reason)
def reinstate_license(body, license_id):
    return license_view(_committed(licenses.reinstate, current_principal(), license_id,
                                   body.get("reason")))


@blp.post("/licenses/<id:license_id>/revoke")
@requires("vendor")
@blp.response(200, LicenseOut)
@problems(404, 409)
@blp.arguments(RequiredReason)
def revoke_license(body, license_id):
    return license_view(_committed(licenses.revoke, current_principal(), license_id,
                                   body["reason"]))


@blp.post("/licenses/<id:license_id>/renew")
@requires("vendor")
@blp.response(200, LicenseOut)
@problems(404, 409)
@blp.arguments(Renewal)
def renew_license(body, license_id):
    return license_view(_committed(licenses.renew, _keyring(), current_principal(), license_id,
                                   months=body.get("months"), expires_at=body.get("expires_at")))


# --- keys, screening rules, audit ------------------------------------------------------------

@blp.get("/.well-known/jwks.json")
@blp.response(200, Jwks)
def jwks():
    """Public keys that verify licenses and status lists (RFC 7517)."""
    with service_context().session_factory() as session:
        return _keyring().jwks(session), 200, {"Cache-Control": "max-age=300"}


@blp.get("/screening/rules")
@requires("admin")
@blp.response(200, RuleSetOut)
@problems(404)
def current_rules():
    with service_context().session_factory() as session:
        return rule_set_view(rule_sets.current_rule_set(session))


@blp.get("/screening/rules/<int:version>")
@requires("admin")
@blp.response(200, RuleSetOut)
@problems(404)
def rules_version(version):
    with service_context().session_factory() as session:
        return rule_set_view(rule_sets.rule_set_version(session, version))


@blp.put("/screening/rules")
@requires("admin")
@blp.response(201, RuleSetOut)
@problems(404, 409)
@blp.arguments(RuleSetIn)
def publish_rules(body):
    """A new version of the rule table; `based_on` must be the version in force."""
    principal = current_principal()
    with service_context().unit_of_work() as uow:
        rule_set = rule_sets.publish_rule_set(uow.session, created_by=principal.organisation_id,
                                              **body)
        audit.record(uow.session, principal, "admin", "screening.rules_published",
                     "screening_rule_set", str(rule_set.version), comment=body["comment"])
        uow.commit()
    return rule_set_view(rule_set), 201


@blp.get("/audit")
@requires()
@blp.response(200, AuditPage)
@blp.arguments(AuditQuery, location="query")
def audit_log(args):
    with service_context().session_factory() as session:
        entries = audit.entries_for(session, current_principal(), **args)
    return {"items": [{"seq": e.seq, "at": _iso(e.at), "actor_id": e.actor_id,
                       "actor_role": e.actor_role, "action": e.action,
                       "subject_type": e.subject_type, "subject_id": e.subject_id,
                       "licensee_id": e.licensee_id, "vendor_id": e.vendor_id,
                       "details": e.details} for e in entries]}


blueprints = [blp]
