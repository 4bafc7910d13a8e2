"""Uploads: a vendor's file for one of its core versions arrives in parts, in any order and
over any number of connections and restarts, and becomes a deliverable only when it is whole
and its SHA-256 is the one the vendor declared.

What is kept where: the upload's declaration is a row (`Upload`); its parts are in the object
store alone (the store lists what has arrived, so a restarted upload asks it, not us); the
deliverable is a row written, with its event, in one unit of work after the check. A part,
a file or a declaration that is refused leaves nothing behind."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.deliverables import package_queue
from services.deliverables.domain.file_names import file_name_problem
from services.deliverables.domain.parts import PartPlan
from services.deliverables.domain.protection import SNIFF_BYTES, protection_of
from services.deliverables.files import event_data
from services.deliverables.models import Deliverable, KnownCoreVersion, Upload
from services.deliverables.storage import (
    IncompleteBody,
    ObjectExists,
    ObjectMissing,
    ObjectStore,
    StoredPart,
)
from shared.directory import Principal
from shared.errors import Conflict, DomainError, Invalid, NotFound
from shared.events import deliverables as events
from shared.messaging.unit_of_work import UnitOfWork


class ContentTooLarge(DomainError):
    status = 413
    title = "Content too large"


class LengthRequired(DomainError):
    status = 411
    title = "Length required"


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int
    part_bytes: int


# --- starting ------------------------------------------------------------------------------


def start_upload(
    uow: UnitOfWork,
    store: ObjectStore,
    principal: Principal,
    limits: UploadLimits,
    *,
    core_id: str,
    kind: str,
    file_name: str,
    size: int,
    sha256: str,
) -> Upload:
    """Declare a file of `core_id` (one of the principal's own core versions)."""
    if problem := file_name_problem(file_name):
        raise Invalid(problem, field="file_name")
    if size > limits.max_bytes:
        raise Invalid(f"must be at most {limits.max_bytes} bytes", field="size")
    with uow:
        core = uow.session.get(KnownCoreVersion, core_id)
        if core is None or core.vendor_id != principal.organisation_id:
            raise NotFound(f"no core version {core_id} of yours", field="core_id")
    plan = PartPlan.for_file(size, limits.part_bytes)
    upload = Upload(
        upload_id=_new_id(),
        core_id=core_id,
        vendor_id=principal.organisation_id,
        kind=kind,
        file_name=file_name,
        size=size,
        sha256=sha256,
        part_size=plan.part_size,
        state="open",
        created_by=principal.actor,
    )
    upload.object_key = f"deliverables/{core_id}/{upload.upload_id}"
    # The store's upload first: a row without one could never complete; one without a row is
    # only space, reclaimed by the store's expiry of unfinished uploads.
    upload.storage_upload = store.start_multipart(upload.object_key, plan.part_size)
    with uow:
        uow.session.add(upload)
        uow.commit()
        uow.session.refresh(upload)
        uow.session.expunge(upload)
    return upload


def _new_id() -> str:
    from shared.db.schema import new_id

    return new_id()


# --- parts ---------------------------------------------------------------------------------


def upload_of(session: Session, principal: Principal, upload_id: str) -> Upload:
    upload = session.get(Upload, upload_id)
    if upload is None or upload.vendor_id != principal.organisation_id:
        raise NotFound(f"no upload {upload_id} of yours", field="upload_id")
    return upload


def plan_of(upload: Upload) -> PartPlan:
    return PartPlan(upload.size, upload.part_size)


@dataclass(frozen=True)
class ReceivedPart:
    number: int
    size: int
    sha256: str


def upload_part(
    session_factory: Callable[[], Session],
    store: ObjectStore,
    principal: Principal,
    *,
    upload_id: str,
    number: int,
    content_length: int | None,
    body: BinaryIO,
) -> ReceivedPart:
    """Store part `number`, streamed from `body`: exactly its planned size, or nothing."""
    with session_factory() as session:
        upload = upload_of(session, principal, upload_id)
        session.expunge(upload)
    if upload.state != "open":
        raise Conflict(f"the upload is {upload.state}: start a new one", field="upload_id")
    plan = plan_of(upload)
    if not 1 <= number <= plan.part_count:
        raise Invalid(f"must be between 1 and {plan.part_count}", field="number")
    expected = plan.part_length(number)
    if content_length is None:
        raise LengthRequired(
            f"must be sent: part {number} is {expected} bytes", field="Content-Length"
        )
    if content_length > expected:
        raise ContentTooLarge(
            f"part {number} is {expected} bytes, not {content_length}", field="Content-Length"
        )
    if content_length != expected:
        raise Invalid(
            f"part {number} is {expected} bytes, not {content_length}", field="Content-Length"
        )
    reader = _HashingReader(body)
    try:
        store.upload_part(upload.object_key, upload.storage_upload, number, reader, expected)
    except IncompleteBody as error:
        raise Invalid(str(error), field="body") from None
    if number == 1 and (protection := protection_of(reader.head)) != upload.protection:
        with session_factory() as session, session.begin():
            session.execute(
                sa.update(Upload).where(Upload.upload_id == upload_id).values(protection=protection)
            )
    return ReceivedPart(number, expected, reader.digest.hexdigest())


class _HashingReader:
    """Reads through to `body`, hashing, and keeping the first bytes for the protection sniff."""

    def __init__(self, body: BinaryIO):
        self.body = body
        self.digest = hashlib.sha256()
        self.head = b""

    def read(self, size: int = -1) -> bytes:
        chunk = self.body.read(size)
        self.digest.update(chunk)
        if len(self.head) < SNIFF_BYTES:
            self.head += chunk[: SNIFF_BYTES - len(self.head)]
        return chunk


def received_parts(store: ObjectStore, upload: Upload) -> list[StoredPart]:
    if upload.state != "open":
        return []
    plan = plan_of(upload)
    stored = store.parts(upload.object_key, upload.storage_upload)
    return [p for p in stored if 1 <= p.number <= plan.part_count
            and p.size == plan.part_length(p.number)]  # fmt: skip


# --- completing ----------------------------------------------------------------------------


def complete_upload(
    uow: UnitOfWork, store: ObjectStore, principal: Principal, upload_id: str, now: datetime
) -> Deliverable:
    """Join the parts, check the whole file's SHA-256, and record the deliverable (with its
    event). A file whose digest differs from the declared one is removed: never served."""
    with uow:
        upload = upload_of(uow.session, principal, upload_id)
        uow.session.expunge(upload)
    if upload.state != "open":
        raise Conflict(f"the upload is {upload.state}", field="upload_id")
    # An earlier completion may have joined the parts and stopped before its commit: then the
    # object is there, and only its check and record remain.
    if not store.exists(upload.object_key):
        parts = received_parts(store, upload)
        missing = plan_of(upload).missing({p.number for p in parts})
        if missing:
            shown = ", ".join(map(str, missing[:20])) + (" …" if len(missing) > 20 else "")
            raise Conflict(f"parts still missing: {shown}", field="parts", missing=missing)
        try:
            store.complete_multipart(upload.object_key, upload.storage_upload, parts)
        except (ObjectExists, ObjectMissing):
            raise Conflict("the upload is being completed already", field="upload_id") from None
    digest = hashlib.sha256()
    for chunk in store.get(upload.object_key):
        digest.update(chunk)
    if digest.hexdigest() != upload.sha256:
        store.delete(upload.object_key)
        _set_state(uow, upload_id, "rejected")
        raise Invalid(
            f"the file's SHA-256 is {digest.hexdigest()}, not the declared {upload.sha256}; "
            "it was discarded: start a new upload",
            field="sha256",
        )
    with uow:
        claimed = uow.session.execute(
            sa.update(Upload)
            .where(Upload.upload_id == upload_id, Upload.state == "open")
            .values(state="completed")
        ).rowcount
        if not claimed:
            raise Conflict("the upload was completed already", field="upload_id")
        revision = 1 + (
            uow.session.scalar(
                sa.select(sa.func.max(Deliverable.revision)).where(
                    Deliverable.core_id == upload.core_id,
                    Deliverable.kind == upload.kind,
                    Deliverable.file_name == upload.file_name,
                )
            )
            or 0
        )
        deliverable = Deliverable(
            deliverable_id=upload.upload_id,
            core_id=upload.core_id,
            vendor_id=upload.vendor_id,
            kind=upload.kind,
            file_name=upload.file_name,
            revision=revision,
            size=upload.size,
            sha256=upload.sha256,
            protection=upload.protection,
            object_key=upload.object_key,
            uploaded_by=principal.actor,
            uploaded_at=now,
        )
        uow.session.add(deliverable)
        package_queue.want_core(uow.session, upload.core_id, now)
        uow.publish(events.DELIVERABLE_UPLOADED, upload.core_id, event_data(deliverable))
        uow.commit()
        uow.session.refresh(deliverable)
        uow.session.expunge(deliverable)
    return deliverable


def _set_state(uow: UnitOfWork, upload_id: str, state: str) -> None:
    with uow:
        uow.session.execute(
            sa.update(Upload).where(Upload.upload_id == upload_id).values(state=state)
        )
        uow.commit()
