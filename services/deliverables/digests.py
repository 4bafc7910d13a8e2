"""The vendors' daily download digests: for each UTC day that has ended (the last
LOOKBACK_DAYS of them, so that a scheduler down for a while catches up), one
DELIVERABLES_DAILY_DIGEST per vendor whose files were downloaded, summarising them (notify makes
it a notice). The download_digest row is written with the event, so a (vendor, day) is published
once however many schedulers run, restart or race."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from services.deliverables.models import Deliverable, Download, DownloadDigest
from shared.events import deliverables as events
from shared.messaging.unit_of_work import UnitOfWork

LOOKBACK_DAYS = 3
DIGEST_NAMESPACE = uuid.UUID("5b0d6c1e-2f7a-4d39-9a8e-1c4b7e0f3a52")
DAY = timedelta(days=1)


def publish_digests(unit_of_work, now: datetime) -> int:
    """`unit_of_work()` → a new UnitOfWork; how many digests were published."""
    today = datetime(now.year, now.month, now.day, tzinfo=UTC)
    published = 0
    for back in range(LOOKBACK_DAYS, 0, -1):
        start = today - back * DAY
        with unit_of_work() as uow:
            vendors = list(
                uow.session.scalars(
                    sa.select(Download.vendor_id)
                    .where(Download.downloaded_at >= start, Download.downloaded_at < start + DAY)
                    .where(
                        ~sa.exists().where(
                            DownloadDigest.vendor_id == Download.vendor_id,
                            DownloadDigest.day_start == start,
                        )
                    )
                    .distinct()
                    .order_by(Download.vendor_id)
                )
            )
        for vendor_id in vendors:
            published += publish_digest(unit_of_work(), vendor_id, start, now)
    return published


def publish_digest(uow: UnitOfWork, vendor_id: str, start: datetime, now: datetime) -> int:
    end = start + DAY
    digest_id = str(uuid.uuid5(DIGEST_NAMESPACE, f"{vendor_id}/{start.date().isoformat()}"))
    with uow:
        session = uow.session
        try:
            with session.begin_nested():
                session.add(DownloadDigest(vendor_id=vendor_id, day_start=start,
                                           digest_id=digest_id, published_at=now))  # fmt: skip
                session.flush()
        except IntegrityError:
            return 0  # another scheduler published it a moment ago
        of_day = (
            Download.vendor_id == vendor_id,
            Download.downloaded_at >= start,
            Download.downloaded_at < end,
        )
        downloads, licensees = session.execute(
            sa.select(sa.func.count(), sa.func.count(sa.distinct(Download.licensee_id))).where(
                *of_day
            )
        ).one()
        keys = (Download.license_id, Download.licensee_id, Download.core_id, Deliverable.file_name)
        grouped = (
            sa.select(
                *keys,
                sa.func.count().label("downloads"),
                sa.func.count(sa.distinct(Download.address)).label("addresses"),
                sa.func.max(Download.downloaded_at).label("last"),
            )
            .join(Deliverable, Deliverable.deliverable_id == Download.deliverable_id)
            .where(*of_day)
            .group_by(*keys)
        )
        groups = session.scalar(sa.select(sa.func.count()).select_from(grouped.subquery()))
        rows = session.execute(
            grouped.order_by(sa.desc("downloads"), *keys).limit(events.DIGEST_ENTRIES)
        ).all()
        if not rows:
            return 0
        uow.publish(
            events.DELIVERABLES_DAILY_DIGEST,
            vendor_id,
            {
                "digest_id": digest_id,
                "vendor_id": vendor_id,
                "day_start": start.isoformat(),
                "day_end": end.isoformat(),
                "downloads": downloads,
                "licensees": licensees,
                "entries": [
                    {
                        "license_id": r.license_id,
                        "licensee_id": r.licensee_id,
                        "core_id": r.core_id,
                        "file_name": r.file_name,
                        "downloads": r.downloads,
                        "addresses": r.addresses,
                        "last_downloaded_at": _aware(r.last).isoformat(),
                    }
                    for r in rows
                ],
                "more_entries": groups - len(rows),
            },
        )
        uow.commit()
    return 1


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # (SQLite's max() is naive)
