"""Preparing the licensees' packages (the steps package_worker.py runs in a loop).

1. `plan`: for every license in force, the package it should have now (its core version's
   newest files, its licensee's age keys); one not made yet is added, with the encrypted files
   it lacks. Unique constraints make a second plan of the same contents a no-op, so a
   redelivered event or a restarted worker never makes a package twice.
2. `encrypt_next`: one pending file encrypted with age to the package's keys, streamed from
   the store into a new object (bounded memory), its ciphertext's size and SHA-256 recorded.
3. `finish_ready`: a package whose files are all stored gets its signed manifest and is ready,
   with DELIVERABLES_READY in the same transaction."""

from __future__ import annotations

import hashlib
import io
from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.deliverables.age_stream import EncryptingReader, recipient_bytes
from services.deliverables.domain.licenses import VALID, is_valid
from services.deliverables.domain.packages import (
    FileRevision,
    ManifestFile,
    fingerprint,
    manifest_claims,
    newest_revisions,
)
from services.deliverables.manifest import ManifestSigner
from services.deliverables.models import (
    PENDING,
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
from services.deliverables.storage import ObjectExists, ObjectStore
from shared.db.schema import new_id
from shared.events import deliverables as events
from shared.messaging.unit_of_work import UnitOfWork


def plan(session: Session, now: datetime) -> int:
    """Add the packages licenses in force lack; how many were added."""
    licenses = [
        lic
        for lic in session.scalars(sa.select(KnownLicense).where(KnownLicense.state == VALID))
        if is_valid(lic.state, lic.expires_at, now)
    ]
    if not licenses:
        return 0
    files = defaultdict(list)
    for d in session.scalars(
        sa.select(Deliverable).where(Deliverable.core_id.in_({lic.core_id for lic in licenses}))
    ):
        files[d.core_id].append(FileRevision(d.deliverable_id, d.kind, d.file_name, d.revision))
    keys = defaultdict(list)
    for key in session.scalars(
        sa.select(RecipientKey).where(
            RecipientKey.organisation_id.in_({lic.licensee_id for lic in licenses})
        )
    ):
        keys[key.organisation_id].append(key.public_key)
    made = set(session.execute(sa.select(Package.license_id, Package.contents_sha256)).all())
    added = 0
    for lic in licenses:
        chosen = [f.deliverable_id for f in newest_revisions(files[lic.core_id])]
        recipients = sorted(keys[lic.licensee_id])
        if not chosen or not recipients:
            continue  # nothing to send yet, or nobody to encrypt it to
        contents = fingerprint(chosen, recipients)
        if (lic.license_id, contents) not in made:
            added += _add_package(session, lic, chosen, recipients, contents)
    return added


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


def encrypt_next(session: Session, store: ObjectStore, now: datetime) -> bool:
    """Encrypt one pending package file; False when none is pending."""
    file = session.scalars(
        sa.select(PackageFile)
        .join(KnownLicense, KnownLicense.license_id == PackageFile.license_id)
        .where(PackageFile.state == PENDING, KnownLicense.state == VALID)
        .order_by(PackageFile.created_at, PackageFile.package_file_id)
        .limit(1)
    ).first()
    if file is None:
        return False
    deliverable = session.get(Deliverable, file.deliverable_id)
    recipients = [recipient_bytes(key) for key in _recipients_of(session, file)]
    reader = _Digesting(EncryptingReader(store.get(deliverable.object_key), recipients))
    try:
        store.put(file.object_key, reader)
    except ObjectExists:
        # Stored by an attempt that died before recording it: never announced, so replaced.
        store.delete(file.object_key)
        reader = _Digesting(EncryptingReader(store.get(deliverable.object_key), recipients))
        store.put(file.object_key, reader)
    file.state, file.stored_at = STORED, now
    file.cipher_size, file.cipher_sha256 = reader.size, reader.digest.hexdigest()
    session.flush()
    return True


def _recipients_of(session: Session, file: PackageFile) -> list[str]:
    for package in session.scalars(sa.select(Package).where(Package.license_id == file.license_id)):
        if file.package_file_id in package.file_ids:
            return package.recipients
    raise LookupError(f"package file {file.package_file_id} is in no package")


class _Digesting(io.RawIOBase):
    """The ciphertext's size and SHA-256, taken as the store reads it."""

    def __init__(self, reader: io.RawIOBase):
        self._reader = reader
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self._reader.readinto(buffer)
        self.digest.update(memoryview(buffer)[:count])
        self.size += count
        return count


def finish_ready(uow: UnitOfWork, signer: ManifestSigner, base_url: str, now: datetime) -> int:
    """Sign the manifest of every package whose files are all stored, and announce it."""
    finished = 0
    with uow:
        session = uow.session
        for package in session.scalars(sa.select(Package).where(Package.state == PREPARING)):
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
                continue  # (the core version's event may come after the license's)
            files = [stored[file_id] for file_id in package.file_ids]
            _finish(uow, signer, package, core, files, base_url, now)
            finished += 1
        uow.commit()
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
    package.manifest = signer.sign(session, claims)
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
