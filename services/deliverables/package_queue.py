"""The packages wanted: one durable row per license whose package may have to change, written in
the same transaction as what changed it (a license event, a core version event, a file uploaded,
a key registered or removed) and taken by the package worker, which plans that license alone.

Writers touch an existing row with an UPDATE before inserting one, so a writer meets a worker
planning the same license on its row lock: either the worker sees the writer's change, or its
delete commits first and the writer inserts a new row, planned again."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.deliverables.domain.licenses import VALID
from services.deliverables.models import KnownLicense, PackageWanted


def want_license(session: Session, license_id: str, now: datetime) -> None:
    for _ in range(3):
        touched = session.execute(
            sa.update(PackageWanted)
            .where(PackageWanted.license_id == license_id)
            .values(wanted_at=now)
        ).rowcount
        if touched:
            return
        try:
            with session.begin_nested():
                session.add(PackageWanted(license_id=license_id, wanted_at=now))
                session.flush()
            return
        except IntegrityError:
            continue  # inserted by another writer a moment ago: touch it (and wait on its lock)
    raise RuntimeError(f"could not mark the package of license {license_id} wanted")


def want_licenses(session: Session, condition, now: datetime) -> int:
    """Want the package of every license in force matching `condition` (a core's, a licensee's)."""
    license_ids = list(
        session.scalars(
            sa.select(KnownLicense.license_id).where(KnownLicense.state == VALID, condition)
        )
    )
    for license_id in license_ids:
        want_license(session, license_id, now)
    return len(license_ids)


def want_core(session: Session, core_id: str, now: datetime) -> int:
    return want_licenses(session, KnownLicense.core_id == core_id, now)


def want_licensee(session: Session, licensee_id: str, now: datetime) -> int:
    return want_licenses(session, KnownLicense.licensee_id == licensee_id, now)


def want_all(session: Session, now: datetime) -> int:
    """The safety net's sweep: every license in force, in case a change was ever missed."""
    return want_licenses(session, sa.true(), now)


def take_next(session: Session) -> str | None:
    """Lock the longest-waiting wanted row no other worker holds; its license id, or None. The
    caller plans the license and deletes the row (`done`) in this same transaction."""
    return session.scalar(
        sa.select(PackageWanted.license_id)
        .order_by(PackageWanted.wanted_at, PackageWanted.license_id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


def done(session: Session, license_id: str) -> None:
    session.execute(sa.delete(PackageWanted).where(PackageWanted.license_id == license_id))
