"""The deliverables scheduler: expires uploads left unfinished longer than
IPMARKET_DELIVERABLE_UPLOAD_EXPIRY_HOURS (their parts deleted from the store), and publishes the
vendors' daily download digests (digests.py) once each UTC day has ended.
`ipmarket deliverables-scheduler` runs it until SIGTERM."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from services.deliverables.digests import publish_digests
from services.deliverables.storage import ObjectStore
from services.deliverables.unfinished_uploads import expire_uploads
from shared import config
from shared.db.schema import utcnow
from shared.runtime import ServiceContext

log = logging.getLogger(__name__)


class DeliverablesScheduler:
    def __init__(self, context: ServiceContext, store: ObjectStore, interval_seconds: float = 60):
        self.context = context
        self.store = store
        self.interval_seconds = interval_seconds

    def run(self, stop: threading.Event) -> None:
        log.info("deliverables scheduler: every %.0fs", self.interval_seconds)
        while not stop.is_set():
            try:
                self.tick()
            except Exception:  # database or store restarting: try again at the next tick
                log.exception("deliverables scheduler: tick failed")
            stop.wait(self.interval_seconds)
        log.info("deliverables scheduler: stopped")

    def tick(self, now: datetime | None = None) -> dict:
        now = now or utcnow()
        after = timedelta(hours=config.get("IPMARKET_DELIVERABLE_UPLOAD_EXPIRY_HOURS"))
        expired = expire_uploads(self.context.session_factory, self.store, now, after)
        if expired:
            log.info("deliverables scheduler: %d unfinished uploads expired", expired)
        digests = publish_digests(self.context.unit_of_work, now)
        if digests:
            log.info("deliverables scheduler: %d daily download digests published", digests)
        return {"uploads_expired": expired, "digests_published": digests}
