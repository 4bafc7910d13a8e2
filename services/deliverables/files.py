"""The deliverables of a core version, as their vendor (and later their licensees) see them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.deliverables.models import Deliverable, KnownCoreVersion
from shared.directory import Principal
from shared.errors import NotFound


def deliverables_of(session: Session, principal: Principal, core_id: str) -> list[Deliverable]:
    """The files of one of the principal's core versions, newest revision of each name first."""
    core = session.get(KnownCoreVersion, core_id)
    if core is None or (core.vendor_id != principal.organisation_id and not principal.is_admin):
        raise NotFound(f"no core version {core_id} of yours", field="core_id")
    return list(
        session.scalars(
            sa.select(Deliverable)
            .where(Deliverable.core_id == core_id)
            .order_by(Deliverable.kind, Deliverable.file_name, Deliverable.revision.desc())
        )
    )


def event_data(deliverable: Deliverable) -> dict:
    return {
        "deliverable_id": deliverable.deliverable_id,
        "core_id": deliverable.core_id,
        "vendor_id": deliverable.vendor_id,
        "kind": deliverable.kind,
        "file_name": deliverable.file_name,
        "revision": deliverable.revision,
        "size": deliverable.size,
        "sha256": deliverable.sha256,
        "protection": deliverable.protection,
        "uploaded_at": deliverable.uploaded_at.isoformat(),
        "uploaded_by": deliverable.uploaded_by,
    }
