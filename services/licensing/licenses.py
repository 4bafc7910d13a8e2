"""Licenses: issuance (a signed token), their lifecycle and the signed status list.

A license's state lives in its row; the token states what was granted and until when. A renewal
re-signs the token with the new expiry (same license id, next revision). Suspension and revocation
do not change the token: verifiers learn them from this service or from the status list.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.licensing import audit
from services.licensing.access import get_visible
from services.licensing.core_terms_cache import current_terms
from services.licensing.domain.cores import CoreTerms
from services.licensing.domain.licenses import (
    WITHDRAWN,
    add_months,
    license_claims,
    next_state,
    renewed_claims,
    renewed_expiry,
)
from services.licensing.domain.verification import LICENSE_TYP, STATUS_LIST_TYP, armour
from services.licensing.event_data import license_event
from services.licensing.models import License, LicenseRequest
from services.licensing.signing import Keyring
from shared import config
from shared.db.schema import new_id, utcnow
from shared.db.session import row_of
from shared.directory import Principal
from shared.events import licensing as events
from shared.jws import sign_compact
from shared.messaging.unit_of_work import UnitOfWork

TRANSITION_EVENTS = {
    "suspended": events.LICENSE_SUSPENDED,
    "reinstated": events.LICENSE_REINSTATED,
    "revoked": events.LICENSE_REVOKED,
}


def issue_license(
    uow: UnitOfWork,
    keyring: Keyring,
    request: LicenseRequest,
    actor: Principal | None,
    role: str,
    *,
    core: CoreTerms | None = None,
    signing_kid: str | None = None,
) -> License:
    """`core` and `signing_kid`: the core's terms and the signing kid, when the caller has read
    them in this transaction already (a new request reads both with its one SELECT); else they
    are read here."""
    session = uow.session
    if core is None:
        core = current_terms(session, request.core_id)
    now = utcnow().replace(microsecond=0)
    offer = request.offer
    expires_at = add_months(now, offer["term_months"]) if offer.get("term_months") else None
    license = License(
        id=new_id(),
        request_id=request.id,
        licensee_id=request.licensee_id,
        vendor_id=request.vendor_id,
        core_id=request.core_id,
        state="active",
        not_before=now,
        expires_at=expires_at,
        issued_at=now,
        updated_at=now,
    )
    license.claims = license_claims(
        license_id=license.id,
        issuer=config.get("IPMARKET_LICENSING_URL"),
        licensee_id=request.licensee_id,
        vendor_id=request.vendor_id,
        core={
            "core_id": request.core_id,
            "vlnv": request.vlnv,
            "version_constraint": request.version_constraint,
        },
        offer=offer,
        project_name=request.project_name,
        territory=request.end_use_country,
        deliverables=core.deliverables if core else [],
        issued_at=now,
        expires_at=expires_at,
    )
    _sign(session, keyring, license, signing_kid)
    # Never changed again in this transaction: written at commit without an ORM flush.
    uow.insert_at_commit(License.__table__, row_of(license))
    request.license_id, request.state, request.updated_at = license.id, "issued", now
    audit.record(
        session,
        actor,
        role,
        "license.issued",
        "license",
        license.id,
        licensee_id=license.licensee_id,
        vendor_id=license.vendor_id,
        request_id=request.id,
        kid=license.kid,
    )
    uow.publish(events.LICENSE_ISSUED, license.id, license_event(license))
    return license


def _sign(
    session: Session, keyring: Keyring, license: License, signing_kid: str | None = None
) -> None:
    kid, private_key = keyring.signer(session, signing_kid)
    license.token = sign_compact(license.claims, kid=kid, private_key=private_key, typ=LICENSE_TYP)
    license.kid = kid


def license_file(license: License) -> str:
    vlnv = license.claims["core"]["vlnv"]
    return armour(
        license.token,
        {
            "License-Id": license.id,
            "Core": ":".join(vlnv[k] for k in ("vendor", "library", "name"))
            + " "
            + license.claims["core"]["version_constraint"],
            "Licensee": license.licensee_id,
            "Expires": license.expires_at.isoformat() if license.expires_at else "never",
        },
    )


# --- lifecycle -------------------------------------------------------------------------------


def _transition(
    uow: UnitOfWork, principal: Principal, license_id: str, *, action: str, reason: str | None
) -> License:
    license = get_visible(
        uow.session, principal, License, license_id, for_update=True, vendor_only=True
    )
    to = next_state(license.state, action)
    license.state, license.state_reason, license.updated_at = to, reason, utcnow()
    audit.record(
        uow.session,
        principal,
        "vendor",
        f"license.{action}",
        "license",
        license.id,
        licensee_id=license.licensee_id,
        vendor_id=license.vendor_id,
        reason=reason,
    )
    uow.publish(TRANSITION_EVENTS[action], license.id, license_event(license, reason=reason))
    return license


def suspend(uow: UnitOfWork, principal: Principal, license_id: str, reason: str | None) -> License:
    return _transition(uow, principal, license_id, action="suspended", reason=reason)


def reinstate(
    uow: UnitOfWork, principal: Principal, license_id: str, reason: str | None
) -> License:
    return _transition(uow, principal, license_id, action="reinstated", reason=reason)


def revoke(uow: UnitOfWork, principal: Principal, license_id: str, reason: str) -> License:
    return _transition(uow, principal, license_id, action="revoked", reason=reason)


def renew(
    uow: UnitOfWork,
    keyring: Keyring,
    principal: Principal,
    license_id: str,
    *,
    months: int | None = None,
    expires_at: datetime | None = None,
) -> License:
    """Extend by `months` from the later of now and the current expiry, or to `expires_at`."""
    license = get_visible(
        uow.session, principal, License, license_id, for_update=True, vendor_only=True
    )
    now = utcnow().replace(microsecond=0)
    expires_at = renewed_expiry(
        license.state, license.expires_at, now, months=months, expires_at=expires_at
    )
    license.expires_at, license.state, license.updated_at = expires_at, "active", now
    license.claims = renewed_claims(license.claims, expires_at, now)
    _sign(uow.session, keyring, license)
    audit.record(
        uow.session,
        principal,
        "vendor",
        "license.renewed",
        "license",
        license.id,
        licensee_id=license.licensee_id,
        vendor_id=license.vendor_id,
        expires_at=expires_at.isoformat(),
    )
    uow.publish(events.LICENSE_RENEWED, license.id, license_event(license))
    return license


def status_list(session: Session, keyring: Keyring) -> str:
    """Every revoked or suspended license, signed, for offline verifiers."""
    statuses = dict(
        session.execute(
            sa.select(License.id, License.state).where(License.state.in_(WITHDRAWN))
        ).all()
    )
    kid, private_key = keyring.signer(session)
    now = int(utcnow().timestamp())
    return sign_compact(
        {"iss": config.get("IPMARKET_LICENSING_URL"), "iat": now, "statuses": statuses},
        kid=kid,
        private_key=private_key,
        typ=STATUS_LIST_TYP,
    )


def license_statuses(session: Session):
    """The online form of the status list: a mapping that asks the database for one id."""
    return _LicenseStates(session)


class _LicenseStates:
    _QUERY = sa.select(License.__table__.c.state).where(
        License.__table__.c.id == sa.bindparam("license_id")
    )  # built once, as it is hot

    def __init__(self, session: Session):
        self._session = session

    def get(self, license_id, default=None):
        if not isinstance(license_id, str):
            return default
        state = self._session.connection().execute(self._QUERY, {"license_id": license_id}).scalar()
        return state if state in WITHDRAWN else default
