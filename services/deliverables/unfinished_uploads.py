"""Uploads that never finish: their owner (the vendor, with the right to upload) lists and
aborts them, and the sweep expires those declared longer ago than
IPMARKET_DELIVERABLE_UPLOAD_EXPIRY_HOURS. Either way the row is marked first (so no part is
taken after it) and then the parts are deleted from the store; a store that fails then is
asked again by the next sweep, since the row keeps what to delete."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.deliverables.models import Upload
from services.deliverables.storage import ObjectStore
from services.deliverables.uploads import upload_of
from shared.directory import Principal
from shared.errors import Conflict

log = logging.getLogger(__name__)
OPEN, ABORTED, EXPIRED = "open", "aborted", "expired"
DELETED = ""  # the store's reference once the parts are gone
BATCH = 200


def open_uploads(session: Session, principal: Principal) -> list[Upload]:
    """The organisation's uploads still open (to resume or abort), oldest first."""
    return list(
        session.scalars(
            sa.select(Upload)
            .where(Upload.vendor_id == principal.organisation_id, Upload.state == OPEN)
            .order_by(Upload.created_at, Upload.upload_id)
        )
    )


def abort_upload(
    session_factory: Callable[[], Session],
    store: ObjectStore,
    principal: Principal,
    upload_id: str,
) -> None:
    """Abort one of the organisation's open uploads: no part is taken after this, and the
    parts received are deleted from the store."""
    with session_factory() as session, session.begin():
        upload = upload_of(session, principal, upload_id)
        if not _claim(session, upload_id, ABORTED):
            raise Conflict(f"the upload is {upload.state}: only an open one is aborted",
                           field="upload_id")  # fmt: skip
        key, reference = upload.object_key, upload.storage_upload
    _delete_parts(session_factory, store, upload_id, key, reference)


def expire_uploads(
    session_factory: Callable[[], Session], store: ObjectStore, now: datetime, after: timedelta
) -> int:
    """Expire the open uploads declared before `now - after` (their parts deleted), and delete
    the parts still left of uploads marked earlier; how many expired."""
    with session_factory() as session, session.begin():
        stale = session.scalars(
            sa.select(Upload.upload_id)
            .where(Upload.state == OPEN, Upload.created_at < now - after)
            .order_by(Upload.created_at)
            .limit(BATCH)
        ).all()
        expired = [upload_id for upload_id in stale if _claim(session, upload_id, EXPIRED)]
    with session_factory() as session:
        left = session.execute(
            sa.select(Upload.upload_id, Upload.object_key, Upload.storage_upload)
            .where(Upload.state.in_((ABORTED, EXPIRED)), Upload.storage_upload != DELETED)
            .limit(BATCH)
        ).all()
    for upload_id, key, reference in left:
        _delete_parts(session_factory, store, upload_id, key, reference)
    return len(expired)


def _claim(session: Session, upload_id: str, state: str) -> bool:
    """Move an open upload to `state` (False if it is not open any more: completed, or
    aborted or expired by another request)."""
    return bool(
        session.execute(
            sa.update(Upload)
            .where(Upload.upload_id == upload_id, Upload.state == OPEN)
            .values(state=state)
        ).rowcount
    )


def _delete_parts(
    session_factory: Callable[[], Session],
    store: ObjectStore,
    upload_id: str,
    key: str,
    reference: str,
) -> None:
    try:
        store.abort_multipart(key, reference)
    except Exception:  # noqa: BLE001 - the store is down: the next sweep asks again
        log.exception("could not delete the parts of upload %s; the sweep will retry", upload_id)
        return
    with session_factory() as session, session.begin():
        session.execute(
            sa.update(Upload).where(Upload.upload_id == upload_id).values(storage_upload=DELETED)
        )
