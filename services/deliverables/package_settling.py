"""Package files are derived data (the plaintext is kept durably, the keys and the manifest are
in the database), so the worker records one as soon as it is written, before its bytes reach the
disk: the fsync left the path to a licensee's package (package_files.py). The worker settles
each one afterwards (package_worker.py):

- written since this boot of the machine: its bytes are whole in the page cache, so it is
  synced and marked durable;
- written before the machine restarted and never synced: read back and checked against the
  size and SHA-256 that were recorded and signed. Whole → synced, durable. Short, changed or
  gone → prepared again: pending (the next attempt removes the object), and the ready packages
  holding it back to preparing, so that their manifests are signed again over the new
  ciphertext and DELIVERABLES_READY announces them again.
Until then a link to such a file answers 409 (package_access.py), like a package not ready."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.deliverables.domain.packages import intact
from services.deliverables.models import PENDING, PREPARING, READY, STORED, Package, PackageFile
from services.deliverables.storage import ObjectMissing, ObjectStore

SYNC_BATCH = 100  # files synced per transaction


@dataclass(frozen=True)
class WrittenFile:
    package_file_id: str
    license_id: str
    attempt: str | None
    object_key: str
    cipher_size: int
    cipher_sha256: str
    written_boot_id: str | None


class Settling(enum.Enum):
    SYNCED = "synced"  # written since this boot: made durable
    KEPT = "kept"  # from before a restart, read back whole: made durable
    PREPARE_AGAIN = "prepare again"  # from before a restart, short, changed or gone


def settle(store: ObjectStore, file: WrittenFile, boot_id: str) -> Settling:
    """Make the file durable, reading it back first if a restart came between (no transaction
    open: a file may take seconds to read)."""
    found = Settling.SYNCED
    if file.written_boot_id != boot_id:
        if not intact(file.cipher_size, file.cipher_sha256, digest_of(store, file.object_key)):
            return Settling.PREPARE_AGAIN
        found = Settling.KEPT
    try:
        store.sync(file.object_key)
    except ObjectMissing:  # (removed by hand since)
        return Settling.PREPARE_AGAIN
    return found


def digest_of(store: ObjectStore, key: str) -> tuple[int, str] | None:
    digest, size = hashlib.sha256(), 0
    try:
        for chunk in store.get(key):
            digest.update(chunk)
            size += len(chunk)
    except ObjectMissing:
        return None
    return size, digest.hexdigest()


def _written(file: PackageFile) -> WrittenFile:
    return WrittenFile(
        file.package_file_id, file.license_id, file.attempt, file.object_key,
        file.cipher_size, file.cipher_sha256, file.written_boot_id,
    )  # fmt: skip


def _not_durable():
    return sa.select(PackageFile).where(PackageFile.state == STORED, PackageFile.durable.is_(False))


def unsynced(session: Session, boot_id: str, before: datetime | None) -> list[WrittenFile]:
    """Files written since this boot and not synced (those stored before `before`, if given)."""
    query = _not_durable().where(PackageFile.written_boot_id == boot_id)
    if before is not None:
        query = query.where(PackageFile.stored_at < before)
    return [_written(f) for f in session.scalars(query.limit(SYNC_BATCH))]


def claim_unchecked(
    session: Session, boot_id: str, now: datetime, lease: timedelta
) -> WrittenFile | None:
    """A file from before a restart, never synced, that no live claim holds: claimed for
    reading back until `now + lease` (another worker reads the others)."""
    file = session.scalars(
        _not_durable()
        .where(
            sa.or_(PackageFile.written_boot_id.is_(None), PackageFile.written_boot_id != boot_id),
            sa.or_(PackageFile.claimed_until.is_(None), PackageFile.claimed_until <= now),
        )
        .order_by(PackageFile.stored_at, PackageFile.package_file_id)
        .limit(1)
        .with_for_update(of=PackageFile, skip_locked=True)
    ).first()
    if file is None:
        return None
    file.claimed_until = now + lease
    return _written(file)


def record(session: Session, file: WrittenFile, settling: Settling) -> bool:
    """What settling found, if the file is still the one that was read; whether it was."""
    still = sa.update(PackageFile).where(
        PackageFile.package_file_id == file.package_file_id,
        PackageFile.attempt == file.attempt,
        PackageFile.state == STORED,
    )
    if settling is not Settling.PREPARE_AGAIN:
        return bool(session.execute(still.values(durable=True, claimed_until=None)).rowcount)
    again = still.values(
        state=PENDING, stored_at=None, claimed_until=None, cipher_size=None, cipher_sha256=None,
        written_boot_id=None,
    )  # fmt: skip
    if not session.execute(again).rowcount:
        return False
    for package in session.scalars(
        sa.select(Package).where(Package.license_id == file.license_id, Package.state == READY)
    ):
        if file.package_file_id in package.file_ids:  # its manifest signs the lost ciphertext
            package.state, package.manifest, package.ready_at = PREPARING, None, None
    return True
