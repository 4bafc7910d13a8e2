"""Encrypting a package's files, never inside a transaction (a file may take minutes):

1. `claim`: in one short transaction, the oldest pending file of a license in force that no
   live claim holds gets a new attempt id and a claim until `now + lease`.
2. `encrypt`: with no transaction open, the plaintext streamed from the store through age to
   the package's keys into an object of the attempt's own (bounded memory), its size and
   SHA-256 taken on the way.
3. `record`: in another transaction, the file is stored at that object if the claim is still
   this attempt's, and the license's packages whose files are now all stored are finished.
   The object is not fsynced first: a package file can be made again, so it is recorded with
   the boot that wrote it and synced afterwards (package_settling.py).

A worker that dies mid-way leaves its claim to lapse: the next attempt writes its own object
and removes the dead one's; an attempt that lost its claim removes what it wrote."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.deliverables.age_stream import SLAB, EncryptingReader, recipient_bytes
from services.deliverables.domain.licenses import VALID
from services.deliverables.models import (
    PENDING,
    STORED,
    Deliverable,
    KnownLicense,
    Package,
    PackageFile,
)
from services.deliverables.storage import ObjectStore
from shared.db.schema import new_id
from shared.pipelined_reader import PipelinedReader


@dataclass(frozen=True)
class Claim:
    package_file_id: str
    license_id: str
    attempt: str
    source_key: str  # the plaintext deliverable's object
    object_key: str  # where this attempt writes the ciphertext
    recipients: tuple[str, ...]
    lapsed_key: str | None  # a dead attempt's object, removed


@dataclass(frozen=True)
class Ciphertext:
    size: int
    sha256: str


def attempt_key(license_id: str, package_file_id: str, attempt: str) -> str:
    return f"packages/{license_id}/{package_file_id}/{attempt}.age"


def claim(session: Session, now: datetime, lease: timedelta) -> Claim | None:
    file = session.scalars(
        sa.select(PackageFile)
        .join(KnownLicense, KnownLicense.license_id == PackageFile.license_id)
        .where(
            PackageFile.state == PENDING,
            KnownLicense.state == VALID,
            sa.or_(PackageFile.claimed_until.is_(None), PackageFile.claimed_until <= now),
        )
        .order_by(PackageFile.created_at, PackageFile.package_file_id)
        .limit(1)
        .with_for_update(of=PackageFile, skip_locked=True)
    ).first()
    if file is None:
        return None
    lapsed = file.attempt and attempt_key(file.license_id, file.package_file_id, file.attempt)
    file.attempt, file.claimed_until = new_id(), now + lease
    source_key = session.scalar(
        sa.select(Deliverable.object_key).where(Deliverable.deliverable_id == file.deliverable_id)
    )
    return Claim(
        file.package_file_id, file.license_id, file.attempt, source_key,
        attempt_key(file.license_id, file.package_file_id, file.attempt),
        tuple(_recipients_of(session, file)), lapsed or None,
    )  # fmt: skip


def _recipients_of(session: Session, file: PackageFile) -> list[str]:
    for package in session.scalars(sa.select(Package).where(Package.license_id == file.license_id)):
        if file.package_file_id in package.file_ids:
            return package.recipients
    raise LookupError(f"package file {file.package_file_id} is in no package")


def encrypt(store: ObjectStore, claim: Claim) -> Ciphertext:
    if claim.lapsed_key is not None:
        store.delete(claim.lapsed_key)
    return encrypt_object(store, claim.source_key, claim.object_key, claim.recipients)


def encrypt_object(
    store: ObjectStore, source_key: str, object_key: str, recipients: Sequence[str]
) -> Ciphertext:
    """The stored plaintext, age-encrypted to `recipients` into the new `object_key`, its
    ciphertext's SHA-256 taken on the way, left for the disk to write back (`durable` False:
    package_settling.py syncs it). Sealing, hashing and writing run on three threads
    (shared/pipelined_reader.py) so that two cores share them."""
    keys = [recipient_bytes(key) for key in recipients]
    digest = hashlib.sha256()
    source = EncryptingReader(store.get(source_key), keys)
    with PipelinedReader(source, [digest.update], slab=SLAB) as reader:  # sealed into its slabs
        store.put(object_key, reader, durable=False)
        return Ciphertext(reader.size, digest.hexdigest())


def record(
    session: Session, claim: Claim, ciphertext: Ciphertext, now: datetime, boot_id: str
) -> bool:
    """Store the file at the attempt's object if the claim is still ours; whether it was.
    `boot_id`: the machine's boot that wrote it, not yet synced."""
    return bool(
        session.execute(
            sa.update(PackageFile)
            .where(
                PackageFile.package_file_id == claim.package_file_id,
                PackageFile.attempt == claim.attempt,
                PackageFile.state == PENDING,
            )
            .values(
                state=STORED,
                stored_at=now,
                object_key=claim.object_key,
                claimed_until=None,
                cipher_size=ciphertext.size,
                cipher_sha256=ciphertext.sha256,
                durable=False,
                written_boot_id=boot_id,
            )  # fmt: skip
        ).rowcount
    )
