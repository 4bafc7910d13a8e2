"""A licensee's package as it reads it: the newest ready package of one of its licenses in
force, with a short-lived link per file (links.py); and a link's file, checked again at every
request (the link, then the license: a revoked license stops links already handed out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.deliverables.domain.licenses import is_valid
from services.deliverables.domain.packages import may_serve
from services.deliverables.links import BadLink, LinkSigner
from services.deliverables.models import (
    PENDING,
    READY,
    STORED,
    Deliverable,
    KnownLicense,
    Package,
    PackageFile,
)
from shared.directory import Principal
from shared.errors import Conflict, Forbidden, NotFound


@dataclass
class LinkedFile:
    package_file_id: str
    deliverable_id: str
    kind: str
    file_name: str
    size: int
    sha256: str
    encrypted_size: int
    encrypted_sha256: str
    url: str
    expires_at: datetime


def ready_package(
    session: Session, principal: Principal, license_id: str, links: LinkSigner, base_url, now
) -> tuple[Package, list[LinkedFile]]:
    license = session.get(KnownLicense, license_id)
    if license is None or license.licensee_id != principal.organisation_id:
        raise NotFound(f"no license {license_id} of yours", field="license_id")
    if not is_valid(license.state, license.expires_at, now):
        raise Forbidden(f"this license is not in force ({license.state})", field="license")
    package = session.scalars(
        sa.select(Package)
        .where(Package.license_id == license_id, Package.state == READY)
        .order_by(Package.ready_at.desc(), Package.package_id)
        .limit(1)
    ).first()
    if package is None:
        raise Conflict("the package is being prepared: you will be told when it is ready",
                       field="license_id")  # fmt: skip
    files = {
        f.package_file_id: f
        for f in session.scalars(
            sa.select(PackageFile).where(PackageFile.package_file_id.in_(package.file_ids))
        )
    }
    linked = []
    for file_id in package.file_ids:
        file = files[file_id]
        d = session.get(Deliverable, file.deliverable_id)
        url, expires_at = links.link(base_url, file_id, principal, now)
        linked.append(LinkedFile(
            file_id, d.deliverable_id, d.kind, d.file_name, d.size, d.sha256,
            file.cipher_size, file.cipher_sha256, url, expires_at,
        ))  # fmt: skip
    return package, linked


def linked_file(
    session: Session, links: LinkSigner, file_id: str, query: dict, now: datetime, boot_id: str
) -> tuple[PackageFile, Deliverable, KnownLicense, Principal]:
    """The package file a link names, for whom it was issued; Forbidden for a link that is not
    ours or has ended, or whose license is no longer in force; Conflict for a file being
    prepared again, or to be read back after a restart of the machine (`boot_id`: this one's)
    before it is served (package_settling.py)."""
    try:
        principal = links.check(file_id, query, now)
    except BadLink as error:
        raise Forbidden(str(error), field="signature") from None
    file = session.get(PackageFile, file_id)
    license = session.get(KnownLicense, file.license_id) if file is not None else None
    if file is None or file.state not in (STORED, PENDING) or license is None:
        raise NotFound(f"no package file {file_id}", field="package_file_id")
    if license.licensee_id != principal.organisation_id:
        raise Forbidden("this link was not issued for this file's licensee", field="signature")
    if not is_valid(license.state, license.expires_at, now):
        raise Forbidden(f"the license is not in force ({license.state})", field="license")
    if file.state == PENDING or not may_serve(file.durable, file.written_boot_id, boot_id):
        raise Conflict(
            "this file is being checked, or prepared again, after a restart: ask for the "
            "package again in a few minutes",
            field="package_file_id",
        )
    return file, session.get(Deliverable, file.deliverable_id), license, principal
