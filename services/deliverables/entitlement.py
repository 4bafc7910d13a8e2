"""Who may download a deliverable: a licensee holding a license for its core version that
1. is VALID now (not suspended, revoked or expired, and within its term),
2. grants the file (its kind, or its very SHA-256: domain/grants.py), and
3. is still allowed by the export rules in force for the destination it was screened for
   (domain/export_check.py, with licensing's rule sets as its events tell them).
The projections follow the catalog's and licensing's events, so a revocation or a new rule set
stops downloads as soon as its event is handled. A refusal records nothing."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.deliverables.domain.export_check import denial
from services.deliverables.domain.grants import grants
from services.deliverables.domain.licenses import EXPIRED, VALID, is_valid
from services.deliverables.models import (
    Deliverable,
    KnownCoreVersion,
    KnownLicense,
    KnownRuleSet,
)
from shared.directory import Principal
from shared.errors import Forbidden, NotFound


def entitled_deliverable(
    session: Session, principal: Principal, deliverable_id: str, now: datetime
) -> tuple[Deliverable, KnownLicense]:
    """The deliverable and the license that lets the principal download it; NotFound when the
    principal holds no license for its core version (nothing about the file is told), Forbidden
    naming why otherwise: the kind not granted, the license not in force, or the export rules
    in force denying its destination (with the rule's reason code)."""
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
    granting = [
        lic for lic in licenses if grants(lic.granted, deliverable.kind, deliverable.sha256)
    ]
    if not granting:
        raise Forbidden(
            f"your license for this core version does not grant {deliverable.kind} files",
            field="kind",
            kind=deliverable.kind,
        )
    in_force = [lic for lic in granting if is_valid(lic.state, lic.expires_at, now)]
    if not in_force:
        # One past its end whose expiry event is still on its way is expired all the same.
        states = sorted({EXPIRED if lic.state == VALID else lic.state for lic in granting})
        raise Forbidden(
            f"your license for this core version is not in force ({', '.join(states)})",
            field="license",
            states=states,
        )
    core = session.get(KnownCoreVersion, deliverable.core_id)
    rule_set = session.scalars(
        sa.select(KnownRuleSet).order_by(KnownRuleSet.version.desc()).limit(1)
    ).first()
    denials = []
    for license in in_force:
        denied = denial(
            rule_set,
            eccn=core.eccn if core else None,
            destination=license.end_use_country,
            territory_restrictions=core.territory_restrictions if core else None,
        )
        if denied is None:
            return deliverable, license
        denials.append(denied)
    first = denials[0]
    raise Forbidden(
        f"the export rules in force deny this destination ({first.reason_code})",
        field="export",
        reason_code=first.reason_code,
        rule_id=first.rule_id,
        rule_set_version=first.rule_set_version,
    )
