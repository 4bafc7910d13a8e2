"""Who may download a deliverable: a licensee holding a license for its core version that is
VALID now (not suspended, revoked or expired, and within its term). The projection follows
licensing's events, so a revocation stops downloads as soon as its event is handled."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.deliverables.domain.licenses import EXPIRED, VALID, is_valid
from services.deliverables.models import Deliverable, KnownLicense
from shared.directory import Principal
from shared.errors import Forbidden, NotFound


def entitled_deliverable(
    session: Session, principal: Principal, deliverable_id: str, now: datetime
) -> tuple[Deliverable, KnownLicense]:
    """The deliverable and the license that lets the principal download it; NotFound when the
    principal holds no license for its core version (nothing about the file is told), Forbidden
    naming the state when the license it holds is not in force."""
    deliverable = session.get(Deliverable, deliverable_id)
    licenses = []
    if deliverable is not None:
        licenses = list(
            session.scalars(
                sa.select(KnownLicense).where(
                    KnownLicense.core_id == deliverable.core_id,
                    KnownLicense.licensee_id == principal.organisation_id,
                )
            )
        )
    if not licenses:
        raise NotFound(f"no deliverable {deliverable_id} you hold a license for",
                       field="deliverable_id")  # fmt: skip
    for license in licenses:
        if is_valid(license.state, license.expires_at, now):
            return deliverable, license
    # One past its end whose expiry event is still on its way is expired all the same.
    states = sorted({EXPIRED if lic.state == VALID else lic.state for lic in licenses})
    raise Forbidden(
        f"your license for this core version is not in force ({', '.join(states)})",
        field="license",
        states=states,
    )
