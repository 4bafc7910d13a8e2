"""Preparing the licensees' packages (the steps package_worker.py runs).

1. `plan`: for a license wanted (package_queue.py) and in force, the package it should have now
   (its core version's newest files, its licensee's age keys); one not made yet is added, with
   the encrypted files it lacks. Unique constraints make a second plan of the same contents a
   no-op, so a redelivered event or a restarted worker never makes a package twice.
2. package_files.py encrypts each pending file, outside any transaction.
3. `finish_ready`: a package whose files are all stored gets its signed manifest and is ready,
   with DELIVERABLES_READY in the same transaction."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.deliverables.domain.licenses import is_valid
from services.deliverables.domain.packages import (
    FileRevision,
    ManifestFile,
    fingerprint,
    manifest_claims,
    newest_revisions,
)
from services.deliverables.manifest import ManifestSigner
from services.deliverables.models import (
    PREPARING,
    READY,
    STORED,
    Deliverable,
    KnownCoreVersion,
    KnownLicense,
    Package,
    PackageFile,
    RecipientKey,
)
from shared.db.schema import new_id
from shared.events import deliverables as events
from shared.messaging.unit_of_work import UnitOfWork


def plan(session: Session, license_id: str, now: datetime) -> int:
    """Add the package the license lacks, if it is in force; how many were added (0 or 1)."""
    lic = session.get(KnownLicense, license_id)
    if lic is None or not is_valid(lic.state, lic.expires_at, now):
        return 0
    files = [
        FileRevision(d.deliverable_id, d.kind, d.file_name, d.revision)
        for d in session.scalars(sa.select(Deliverable).where(Deliverable.core_id == lic.core_id))
    ]
    recipients = sorted(
        session.scalars(
            sa.select(RecipientKey.public_key).where(
                RecipientKey.organisation_id == lic.licensee_id
            )
        )
    )
    chosen = [f.deliverable_id for f in newest_revisions(files)]
    if not chosen or not recipients:
        return 0  # nothing to send yet, or nobody to encrypt it to
    contents = fingerprint(chosen, recipients)
    made = session.scalar(
        sa.select(Package.package_id).where(
            Package.license_id == lic.license_id, Package.contents_sha256 == contents
        )
    )
    if made is not None:
        return 0
    return _add_package(session, lic, chosen, recipients, contents)


def _add_package(session, lic: KnownLicense, chosen, recipients, contents) -> int:
    to = fingerprint(recipients)
    existing = dict(
        session.execute(
            sa.select(PackageFile.deliverable_id, PackageFile.package_file_id).where(
                PackageFile.license_id == lic.license_id, PackageFile.recipients_sha256 == to
            )
        ).all()
    )
    package_id = new_id()
    file_ids = []
    try:
        with session.begin_nested():
            for deliverable_id in chosen:
                if deliverable_id not in existing:
                    file_id = new_id()
                    session.add(PackageFile(
                        package_file_id=file_id, license_id=lic.license_id,
                        deliverable_id=deliverable_id, recipients_sha256=to,
                        object_key=f"packages/{lic.license_id}/{file_id}.age",
                    ))  # fmt: skip
                    existing[deliverable_id] = file_id
                file_ids.append(existing[deliverable_id])
            session.add(Package(
                package_id=package_id, license_id=lic.license_id, licensee_id=lic.licensee_id,
                vendor_id=lic.vendor_id, core_id=lic.core_id, contents_sha256=contents,
                recipients=recipients, file_ids=file_ids,
            ))  # fmt: skip
            session.flush()
    except IntegrityError:
        return 0  # another worker planned it a moment ago
    return 1


def finish_ready(uow: UnitOfWork, signer: ManifestSigner, base_url: str, license_id: str,
                 now: datetime) -> int:  # fmt: skip
    """In the caller's unit of work: sign the manifest of each of the license's packages whose
    files are all stored, and announce it; how many."""
    finished = 0
    session = uow.session
    for package in session.scalars(
        sa.select(Package).where(Package.license_id == license_id, Package.state == PREPARING)
    ):
        stored = {
            f.package_file_id: f
            for f in session.scalars(
                sa.select(PackageFile).where(
                    PackageFile.package_file_id.in_(package.file_ids),
                    PackageFile.state == STORED,
                )
            )
        }
        core = session.get(KnownCoreVersion, package.core_id)
        if len(stored) < len(package.file_ids) or core is None:
            continue  # (the core version's event may come after the license's: it wants it)
        files = [stored[file_id] for file_id in package.file_ids]
        _finish(uow, signer, package, core, files, base_url, now)
        finished += 1
    return finished


def _finish(uow, signer, package: Package, core, files: list[PackageFile], base_url, now):
    session = uow.session
    entries = []
    for file in files:
        d = session.get(Deliverable, file.deliverable_id)
        entries.append(ManifestFile(
            d.deliverable_id, d.kind, d.file_name, d.revision, d.protection, d.size, d.sha256,
            file.cipher_size, file.cipher_sha256,
        ))  # fmt: skip
    claims = manifest_claims(
        package_id=package.package_id, license_id=package.license_id,
        licensee_id=package.licensee_id, vendor_id=package.vendor_id, core_id=package.core_id,
        vlnv=core.vlnv, recipients=package.recipients, files=entries, issued_at=now,
    )  # fmt: skip
    package.manifest = signer.sign(uow, claims)
    package.state, package.ready_at = READY, now
    uow.publish(
        events.DELIVERABLES_READY,
        package.license_id,
        {
            "package_id": package.package_id,
            "license_id": package.license_id,
            "licensee_id": package.licensee_id,
            "vendor_id": package.vendor_id,
            "core_id": package.core_id,
            "vlnv": core.vlnv,
            "file_count": len(files),
            "size": sum(f.cipher_size for f in files),
            "package_url": f"{base_url}/v1/licenses/{package.license_id}/package",
            "ready_at": now.isoformat(),
        },
    )
