"""The download audit: every copy that leaves is a row and an event (who, which license, which
file, from which address), written before the first byte is sent, so that no copy goes
unrecorded; a refused download records nothing."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.deliverables.models import Deliverable, Download, KnownCoreVersion, KnownLicense
from shared.db.schema import new_id
from shared.directory import Principal
from shared.errors import NotFound
from shared.events import deliverables as events
from shared.messaging.unit_of_work import UnitOfWork


def record_download(
    uow: UnitOfWork,
    principal: Principal,
    deliverable: Deliverable,
    license: KnownLicense,
    address: str,
    now: datetime,
) -> Download:
    download = Download(
        download_id=new_id(),
        deliverable_id=deliverable.deliverable_id,
        core_id=deliverable.core_id,
        vendor_id=deliverable.vendor_id,
        licensee_id=principal.organisation_id,
        license_id=license.license_id,
        actor=principal.actor,
        address=address[:45],
        downloaded_at=now,
    )
    with uow:
        uow.session.add(download)
        uow.publish(
            events.DELIVERABLE_DOWNLOADED,
            deliverable.core_id,
            {
                **{c: getattr(download, c) for c in ("download_id", "deliverable_id", "core_id")},
                **{c: getattr(download, c) for c in ("vendor_id", "licensee_id", "license_id")},
                "file_name": deliverable.file_name,
                "sha256": deliverable.sha256,
                "address": download.address,
                "downloaded_at": now.isoformat(),
                "downloaded_by": principal.actor,
            },
        )
        uow.commit()
    return download


def downloads_of_core(session: Session, principal: Principal, core_id: str) -> list[Download]:
    """Every copy of one of the vendor's core versions that left, newest first."""
    core = session.get(KnownCoreVersion, core_id)
    if core is None or core.vendor_id != principal.organisation_id:
        raise NotFound(f"no core version {core_id} of yours", field="core_id")
    return list(
        session.scalars(
            sa.select(Download)
            .where(Download.core_id == core_id)
            .order_by(Download.downloaded_at.desc(), Download.download_id)
        )
    )


def downloads_by(session: Session, principal: Principal) -> list[Download]:
    """The licensee's own downloads, newest first."""
    return list(
        session.scalars(
            sa.select(Download)
            .where(Download.licensee_id == principal.organisation_id)
            .order_by(Download.downloaded_at.desc(), Download.download_id)
        )
    )
