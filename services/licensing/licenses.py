"""Licenses: issuance (a signed token), their lifecycle and the signed status list.

A license's state lives in its row; the token states what was granted and until when. A renewal
re-signs the token with the new expiry (same license id, next revision). Suspension and revocation
do not change the token: verifiers learn them from this service or from the status list.
"""
from __future__ import annotations

import calendar
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.licensing import audit
from services.licensing.access import get_visible
from services.licensing.known_cores import core_terms
from services.licensing.models import License, LicenseRequest
from services.licensing.signing import Keyring, sign_compact
from services.licensing.verification import LICENSE_TYP, STATUS_LIST_TYP, armour
from shared import config
from shared.db.schema import new_id, utcnow
from shared.db.session import row_of
from shared.directory import Principal
from shared.errors import Conflict, Invalid
from shared.messaging.unit_of_work import UnitOfWork

SCOPE_BY_OFFER = {"evaluation": "evaluation", "multi_project": "multi_project"}  # else: project


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def event_data(subject: LicenseRequest | License, **extra) -> dict:
    """The fields every license event carries, from a request or a license."""
    if isinstance(subject, License):
        claims = subject.claims
        data = {"license_id": subject.id, "request_id": subject.request_id,
                "vlnv": claims["core"]["vlnv"], "offer_kind": claims["offer_kind"],
                "project_name": claims["scope"].get("project"),
                "not_before": subject.not_before.isoformat(),
                "expires_at": subject.expires_at.isoformat() if subject.expires_at else None}
    else:
        data = {"request_id": subject.id, "license_id": subject.license_id, "vlnv": subject.vlnv,
                "offer_kind": subject.offer["kind"], "project_name": subject.project_name}
    return {"vendor_id": subject.vendor_id, "licensee_id": subject.licensee_id,
            "core_id": subject.core_id, **data, **extra}


def issue_license(uow: UnitOfWork, keyring: Keyring, request: LicenseRequest,
                  actor: Principal | None, role: str) -> License:
    session = uow.session
    core = core_terms(session, request.core_id)  # read once per transaction
    now = utcnow().replace(microsecond=0)
    offer = request.offer
    expires_at = add_months(now, offer["term_months"]) if offer.get("term_months") else None
    scope = {"kind": SCOPE_BY_OFFER.get(offer["kind"], "project")}
    if scope["kind"] == "project":
        scope["project"] = request.project_name
    license = License(id=new_id(), request_id=request.id, licensee_id=request.licensee_id,
                      vendor_id=request.vendor_id, core_id=request.core_id, state="active",
                      not_before=now, expires_at=expires_at, issued_at=now, updated_at=now)
    claims = {
        "jti": license.id, "iss": config.get("IPMARKET_LICENSING_URL"),
        "sub": request.licensee_id, "revision": 1,
        "iat": int(now.timestamp()), "nbf": int(now.timestamp()),
        "exp": int(expires_at.timestamp()) if expires_at else None,
        "vendor": request.vendor_id, "licensee": request.licensee_id,
        "core": {"core_id": request.core_id, "vlnv": request.vlnv,
                 "version_constraint": request.version_constraint},
        "offer_kind": offer["kind"], "offer_id": offer["offer_id"], "scope": scope,
        "seats": offer.get("seats"), "territory": [request.end_use_country],
        "royalty": ({"percent": offer["royalty_percent"]} if offer.get("royalty_percent")
                    else None),
        "deliverables": [{"kind": d["kind"], "name": d["name"], "sha256": d["sha256"]}
                         for d in (core.deliverables if core else [])],
    }
    license.claims = {k: v for k, v in claims.items() if v is not None}  # as the token says
    _sign(session, keyring, license)
    # Never changed again in this transaction: written at commit without an ORM flush.
    uow.insert_at_commit(License.__table__, row_of(license))
    request.license_id, request.state, request.updated_at = license.id, "issued", now
    audit.record(session, actor, role, "license.issued", "license", license.id,
                 licensee_id=license.licensee_id, vendor_id=license.vendor_id,
                 request_id=request.id, kid=license.kid)
    uow.publish("ipmarket.license.issued.v1", license.id, event_data(license))
    return license


def _sign(session: Session, keyring: Keyring, license: License) -> None:
    kid, private_key = keyring.signer(session)
    license.token = sign_compact(license.claims, kid=kid, private_key=private_key, typ=LICENSE_TYP)
    license.kid = kid


def license_file(license: License) -> str:
    vlnv = license.claims["core"]["vlnv"]
    return armour(license.token, {
        "License-Id": license.id,
        "Core": ":".join(vlnv[k] for k in ("vendor", "library", "name")) + " "
                + license.claims["core"]["version_constraint"],
        "Licensee": license.licensee_id,
        "Expires": license.expires_at.isoformat() if license.expires_at else "never",
    })


# --- lifecycle -------------------------------------------------------------------------------

def _transition(uow: UnitOfWork, principal: Principal, license_id: str, *, allowed: set[str],
                to: str, action: str, reason: str | None) -> License:
    license = get_visible(uow.session, principal, License, license_id, for_update=True,
                          vendor_only=True)
    if license.state not in allowed:
        raise Conflict(f"a {license.state} license cannot be {action}", state=license.state)
    license.state, license.state_reason, license.updated_at = to, reason, utcnow()
    audit.record(uow.session, principal, "vendor", f"license.{action}", "license", license.id,
                 licensee_id=license.licensee_id, vendor_id=license.vendor_id, reason=reason)
    uow.publish(f"ipmarket.license.{action}.v1", license.id, event_data(license, reason=reason))
    return license


def suspend(uow: UnitOfWork, principal: Principal, license_id: str,
            reason: str | None) -> License:
    return _transition(uow, principal, license_id, allowed={"active"}, to="suspended",
                       action="suspended", reason=reason)


def reinstate(uow: UnitOfWork, principal: Principal, license_id: str,
              reason: str | None) -> License:
    return _transition(uow, principal, license_id, allowed={"suspended"}, to="active",
                       action="reinstated", reason=reason)


def revoke(uow: UnitOfWork, principal: Principal, license_id: str, reason: str) -> License:
    return _transition(uow, principal, license_id, allowed={"active", "suspended"},
                       to="revoked", action="revoked", reason=reason)


def renew(uow: UnitOfWork, keyring: Keyring, principal: Principal, license_id: str, *,
          months: int | None = None, expires_at: datetime | None = None) -> License:
    """Extend by `months` from the later of now and the current expiry, or to `expires_at`."""
    license = get_visible(uow.session, principal, License, license_id, for_update=True,
                          vendor_only=True)
    if license.state not in ("active", "expired"):
        raise Conflict(f"a {license.state} license cannot be renewed", state=license.state)
    if license.expires_at is None:
        raise Conflict("a perpetual license needs no renewal")
    now = utcnow().replace(microsecond=0)
    if expires_at is None:
        expires_at = add_months(max(now, license.expires_at), months)
    if expires_at <= max(now, license.expires_at):
        raise Invalid("the new expiry must be later than the current one and than now",
                      field="expires_at")
    license.expires_at, license.state, license.updated_at = expires_at, "active", now
    license.claims = {**license.claims, "exp": int(expires_at.timestamp()),
                      "iat": int(now.timestamp()), "revision": license.claims["revision"] + 1}
    _sign(uow.session, keyring, license)
    audit.record(uow.session, principal, "vendor", "license.renewed", "license", license.id,
                 licensee_id=license.licensee_id, vendor_id=license.vendor_id,
                 expires_at=expires_at.isoformat())
    uow.publish("ipmarket.license.renewed.v1", license.id, event_data(license))
    return license


def status_list(session: Session, keyring: Keyring) -> str:
    """Every revoked or suspended license, signed, for offline verifiers."""
    statuses = dict(session.execute(
        sa.select(License.id, License.state)
        .where(License.state.in_(("revoked", "suspended")))).all())
    kid, private_key = keyring.signer(session)
    now = int(utcnow().timestamp())
    return sign_compact({"iss": config.get("IPMARKET_LICENSING_URL"), "iat": now,
                         "statuses": statuses}, kid=kid, private_key=private_key,
                        typ=STATUS_LIST_TYP)


def license_statuses(session: Session):
    """The online form of the status list: a mapping that asks the database for one id."""
    return _LicenseStates(session)


class _LicenseStates:
    _QUERY = sa.select(License.__table__.c.state).where(
        License.__table__.c.id == sa.bindparam("license_id"))  # built once, as it is hot

    def __init__(self, session: Session):
        self._session = session

    def get(self, license_id, default=None):
        if not isinstance(license_id, str):
            return default
        state = self._session.connection().execute(
            self._QUERY, {"license_id": license_id}).scalar()
        return state if state in ("revoked", "suspended") else default
