"""The append-only audit log: who did what to which request, license, key or rule set.

Who is a person or an API key (with its name then) acting for an organisation, or the platform
itself; the log answers "approved by 李伟 for Shanghai Xinyuan Microelectronics".
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.licensing.models import AuditEntry, KnownOrganisation
from shared.db.schema import utcnow
from shared.db.session import insert_at_commit
from shared.directory import Principal
from shared.events.envelope import system_actor

SYSTEM = "system"
PLATFORM = system_actor("licensing")  # who acts when no one is named: the service itself


def record(
    session: Session,
    actor: Principal | dict | None,
    role: str,
    action: str,
    subject_type: str,
    subject_id: str,
    *,
    licensee_id: str | None = None,
    vendor_id: str | None = None,
    **details,
) -> None:
    """`actor`: a principal, or the platform acting on its own (an envelope actor such as
    system_actor("licensing.scheduler"); None: PLATFORM). `role`: the capacity the actor
    acted in (licensee, vendor, admin, system)."""
    if isinstance(actor, Principal):
        if actor.is_admin and role != "licensee":
            role = "admin"
        who = actor.actor
    else:
        who = actor or PLATFORM
    insert_at_commit(
        session,
        AuditEntry.__table__,
        {
            "at": utcnow(),
            "actor_id": who["organisation_id"],
            "actor_role": role,
            "actor_kind": who["kind"],
            "actor_ref": who["id"],
            "actor_name": who["name"],
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
) -> list[dict]:
    """An admin reads everything; a party reads what concerns it or what it did. Each entry
    as AuditEntryOut shows it: its columns, and `actor` with the acting organisation's names
    as the directory knows them now."""
    query = (
        sa.select(AuditEntry, KnownOrganisation.legal_name_en, KnownOrganisation.legal_name_zh)
        .outerjoin(KnownOrganisation, KnownOrganisation.organisation_id == AuditEntry.actor_id)
        .where(AuditEntry.seq > after)
    )
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
    rows = session.execute(query.order_by(AuditEntry.seq).limit(limit))
    return [_entry(entry, name_en, name_zh) for entry, name_en, name_zh in rows]


def _entry(entry: AuditEntry, organisation_en: str | None, organisation_zh: str | None) -> dict:
    row = {column: getattr(entry, column) for column in AuditEntry.__table__.columns.keys()}
    row["actor"] = None  # entries from before the log named the actor
    if entry.actor_kind is not None:
        row["actor"] = {
            "kind": entry.actor_kind,
            "id": entry.actor_ref,
            "name": entry.actor_name,
            "organisation_id": entry.actor_id,
            "organisation_name_en": organisation_en,
            "organisation_name_zh": organisation_zh,
        }
    return row
