"""The licensing scheduler: expiry notices (30, 7 and 1 days ahead), expiry of licenses, lapse
of undecided requests and overdue invoices. `ipmarket licensing-scheduler` runs it until SIGTERM.

What was sent is stored (`ExpiryNotice`, one row per license, expiry and days ahead, written in
the same transaction as the event), so a restart neither repeats nor skips a notice. When a
license is first seen inside a window, only the nearest notice is sent (a license issued with
five days left gets the 7-day notice, not the 30-day one as well).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

import sqlalchemy as sa

from services.licensing import audit
from services.licensing.event_data import license_event
from services.licensing.invoices import send_overdue_notices
from services.licensing.license_decisions import expire_pending
from services.licensing.models import ExpiryNotice, License
from shared.db.schema import utcnow
from shared.events import licensing as events
from shared.events.envelope import system_actor
from shared.runtime import ServiceContext

log = logging.getLogger(__name__)
NOTICE_DAYS = (1, 7, 30)  # nearest first
BATCH = 500
SCHEDULER = system_actor("licensing.scheduler")  # who expires licenses and sends reminders


class LicensingScheduler:
    def __init__(self, context: ServiceContext, interval_seconds: float = 30.0):
        self.context = context
        self.interval_seconds = interval_seconds

    def run(self, stop: threading.Event) -> None:
        log.info("licensing scheduler: every %.0fs", self.interval_seconds)
        while not stop.is_set():
            try:
                self.tick()
            except Exception:  # database restarting: try again at the next tick
                log.exception("licensing scheduler: tick failed")
            stop.wait(self.interval_seconds)
        log.info("licensing scheduler: stopped")

    def tick(self, now: datetime | None = None) -> dict:
        now = now or utcnow()
        counts = {"expiring": self.send_expiry_notices(now), "expired": self.expire_licenses(now)}
        with self.context.unit_of_work(SCHEDULER) as uow:
            counts["requests_expired"] = expire_pending(uow, now)
            uow.commit()
        with self.context.unit_of_work(SCHEDULER) as uow:
            counts["invoices_overdue"] = send_overdue_notices(uow, now)
            uow.commit()
        return counts

    def send_expiry_notices(self, now: datetime) -> int:
        sent = 0
        with self.context.unit_of_work(SCHEDULER) as uow:
            licenses = uow.session.scalars(
                sa.select(License)
                .where(
                    License.state == "active",
                    License.expires_at > now,
                    License.expires_at <= now + timedelta(days=30),
                )
                .order_by(License.expires_at)
                .with_for_update(skip_locked=True)
            )
            for license in licenses:
                days_left = license.expires_at - now
                days_ahead = next(d for d in NOTICE_DAYS if days_left <= timedelta(days=d))
                if uow.session.get(ExpiryNotice, (license.id, license.expires_at, days_ahead)):
                    continue
                uow.session.add(
                    ExpiryNotice(
                        license_id=license.id,
                        expires_at=license.expires_at,
                        days_ahead=days_ahead,
                        sent_at=now,
                    )
                )
                uow.publish(
                    events.LICENSE_EXPIRING,
                    license.id,
                    license_event(license, days_ahead=days_ahead),
                )
                sent += 1
            uow.commit()
        return sent

    def expire_licenses(self, now: datetime) -> int:
        with self.context.unit_of_work(SCHEDULER) as uow:
            licenses = list(
                uow.session.scalars(
                    sa.select(License)
                    .where(License.state.in_(("active", "suspended")), License.expires_at <= now)
                    .order_by(License.expires_at)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            )
            for license in licenses:
                license.state, license.updated_at = "expired", now
                audit.record(
                    uow.session,
                    SCHEDULER,
                    audit.SYSTEM,
                    "license.expired",
                    "license",
                    license.id,
                    licensee_id=license.licensee_id,
                    vendor_id=license.vendor_id,
                )
                uow.publish(events.LICENSE_EXPIRED, license.id, license_event(license))
            uow.commit()
        return len(licenses)
