"""The append-only audit log: who did what to which request, license, key or rule set."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.licensing.models import AuditEntry
from shared.db.schema import utcnow
from shared.db.session import insert_at_commit
from shared.directory import Principal

SYSTEM = "system"


def record(
    session: Session,
    actor: Principal | None,
    role: str,
    action: str,
    subject_type: str,
    subject_id: str,
    *,
    licensee_id: str | None = None,
    vendor_id: str | None = None,
    **details,
) -> None:
    """`role`: the capacity the actor acted in (licensee, vendor, admin, system)."""
    if actor is not None and actor.is_admin and role != "licensee":
        role = "admin"
    insert_at_commit(
        session,
        AuditEntry.__table__,
        {
            "at": utcnow(),
            "actor_id": actor.organisation_id if actor else None,
            "actor_role": role,
            "action": action,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "licensee_id": licensee_id,
            "vendor_id": vendor_id,
            "details": details,
        },
    )


def entries_for(
    session: Session,
    principal: Principal,
    *,
    subject_id: str | None = None,
    limit: int = 100,
    after: int = 0,
) -> list[AuditEntry]:
    """An admin reads everything; a party reads what concerns it or what it did."""
    query = sa.select(AuditEntry).where(AuditEntry.seq > after)
    if not principal.is_admin:
        org = principal.organisation_id
        query = query.where(
            sa.or_(
                AuditEntry.actor_id == org,
                AuditEntry.licensee_id == org,
                AuditEntry.vendor_id == org,
            )
        )
    if subject_id is not None:
        query = query.where(AuditEntry.subject_id == subject_id)
    return list(session.scalars(query.order_by(AuditEntry.seq).limit(limit)))
