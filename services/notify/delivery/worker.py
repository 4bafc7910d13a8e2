"""The delivery worker's loop: claim what there is room for, send on a thread pool, record the
outcomes in batches on a thread of their own, and renew the leases of what it holds.

Concurrency: each endpoint has at most IPMARKET_DELIVERY_PER_ENDPOINT lanes (sends under way)
and at most one round more claimed and waiting for them; an endpoint with jobs waiting is left
out of the next claim, so one slow or dead endpoint never holds up the others, and a busy one
is claimed for in batches rather than one delivery per finished send.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter, defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from services.notify.delivery.claims import CLAIM_BATCH, claim_due, renew_leases
from services.notify.delivery.jobs import EMAIL_LANE, Job, Outcome
from services.notify.delivery.mail_sender import MailSender
from services.notify.delivery.records import OutcomeRecorder, log_outcomes
from services.notify.delivery.webhook_sender import WebhookSender
from services.notify.models import DELIVERY_DUE_CHANNEL
from shared import config
from shared.db.schema import utcnow
from shared.db.wake import listen

log = logging.getLogger("services.notify.delivery")

RECORD_BATCH = 1000
RECORD_LINGER = 0.05  # seconds an outcome waits for others to be written with it
LEASE_SECONDS = 15.0  # how long a dead worker's claims wait before another worker takes them
RENEW_SECONDS = 4.0  # how often a live worker renews the leases of what it holds


class DeliveryWorker:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        threads: int | None = None,
        per_endpoint: int | None = None,
        poll_seconds: float | None = None,
        transport=None,
    ):
        self.session_factory = session_factory
        self.threads = threads or config.get("IPMARKET_DELIVERY_THREADS")
        self.per_endpoint = per_endpoint or config.get("IPMARKET_DELIVERY_PER_ENDPOINT")
        self.poll_seconds = poll_seconds or config.get("IPMARKET_DELIVERY_POLL_SECONDS")
        # A claimed delivery is left alone this long; after it, it counts as lost and is sent
        # again. Renewed while this worker holds it, so a send or a wait may last longer; a job
        # whose lease could not be renewed all the same is not sent (see _send_lane).
        self.lease = timedelta(seconds=LEASE_SECONDS)
        self.renew_every = RENEW_SECONDS
        self.webhooks = WebhookSender(
            connections_per_host=self.threads,
            timeout_seconds=config.get("IPMARKET_WEBHOOK_TIMEOUT_SECONDS"),
        )
        self.mails = MailSender(transport)
        self.recorder = OutcomeRecorder(
            session_factory,
            schedule=config.get("IPMARKET_WEBHOOK_RETRY_SECONDS"),
            disable_after=timedelta(hours=config.get("IPMARKET_WEBHOOK_DISABLE_AFTER_HOURS")),
        )
        self._lock = threading.Lock()
        self._sending: Counter = Counter()  # lane → sends under way in it
        self._waiting: dict[str, deque[Job]] = defaultdict(deque)  # claimed, waiting for a lane
        # Set when there may be something to claim: deliveries became due (PostgreSQL told us),
        # or a lane ran out of jobs while due work had been left for want of room.
        self._wake = threading.Event()
        self._short_of_room = False
        # Delivery id → job, from its claim until its outcome is written: leases to renew.
        self._held: dict[str, Job] = {}

    # --- the loop -------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Claim, send and record until `stop`. Three things overlap: this thread claims, the
        pool sends, and a recorder thread writes the outcomes in batches."""
        outcomes: queue.SimpleQueue[Outcome] = queue.SimpleQueue()
        sending_done, recorded = threading.Event(), threading.Event()
        recorder = threading.Thread(
            target=self._record_until, args=(outcomes, sending_done), name="deliver-record"
        )
        recorder.start()
        renewer = threading.Thread(target=self._renew_until, args=(recorded,), name="deliver-renew")
        renewer.start()
        if self._engine.dialect.name == "postgresql":
            threading.Thread(
                target=self._listen_for_due, args=(stop,), daemon=True, name="deliver-listen"
            ).start()
        try:
            with ThreadPoolExecutor(self.threads, thread_name_prefix="deliver") as pool:
                while not stop.is_set():
                    self._wake.clear()
                    # Short of room, due work was left: claim again once a send ends. Else
                    # everything due was claimed, and new work appears only in the database.
                    self._short_of_room = self._claim_room(pool, outcomes)
                    self._wake.wait(self.poll_seconds)
                # SIGTERM: claim nothing more; leaving `with` waits for the sends under way
                # (each bounded by its time-out), and the recorder writes their outcomes.
        finally:
            sending_done.set()
            recorder.join()
            recorded.set()
            renewer.join()

    @property
    def _engine(self) -> sa.Engine:
        return self.session_factory.kw["bind"]

    def _listen_for_due(self, stop: threading.Event) -> None:
        """Wake the claiming loop whenever a transaction that added due deliveries commits
        (the delivery table's wake channel): a notice is sent within milliseconds, not at the
        next poll."""
        listen(self._engine, DELIVERY_DUE_CHANNEL, self._wake, stop, who="delivery worker")

    def _lanes(self, lane: str) -> int:
        """How many sends to one endpoint may be under way at once (emails: any number)."""
        return self.threads if lane == EMAIL_LANE else self.per_endpoint

    def _claim_room(self, pool: ThreadPoolExecutor, outcomes: queue.SimpleQueue) -> bool:
        """Claim what there is room for and start sending it; True when due work may have been
        left for want of room (claimed again when a lane runs out of jobs, see _send_lane)."""
        with self._lock:
            # Claimed but unfinished per endpoint: what its lanes send now and one round more.
            outstanding = Counter(self._sending)
            for lane, waiting in self._waiting.items():
                outstanding[lane] += len(waiting)
        room = 2 * self.threads - sum(outstanding.values())  # keep the pool busy
        # An endpoint with jobs waiting for its lanes is claimed for again once they are all
        # sending: a batch of deliveries per claim rather than one per finished send.
        full = [
            lane for lane, n in outstanding.items() if lane != EMAIL_LANE and n > self.per_endpoint
        ]
        if room <= 0:
            return True
        try:
            jobs, skipped = self._claim(room, full, outstanding)
        except sa.exc.DBAPIError as exc:  # database restarting: try again
            log.warning("delivery worker: claim failed: %s", exc)
            time.sleep(1.0)
            return False
        with self._lock:
            for job in jobs:
                self._held[job.delivery.id] = job
                if self._sending[job.lane] < self._lanes(job.lane):
                    self._sending[job.lane] += 1
                    pool.submit(self._send_lane, job, outcomes)
                else:
                    self._waiting[job.lane].append(job)
        return bool(full or skipped or len(jobs) >= min(room, CLAIM_BATCH))

    def _send_lane(self, job: Job, outcomes: queue.SimpleQueue) -> None:
        """Send `job`, then the jobs of the same lane waiting for it, one at a time."""
        lane = job.lane
        while job is not None:
            # Renewed in time, the lease is always a renewal or more ahead; one that is not
            # could run out during the send and have the delivery sent twice at once.
            if utcnow() < job.leased_until - timedelta(seconds=self.renew_every):
                self._send_and_report(job, outcomes)
            else:  # not renewed (database away): it is due again, and whoever claims it sends it
                log.warning("delivery %s: lease ran out before sending", job.delivery.id)
                self._let_go([job.delivery.id])
            with self._lock:
                job = self._waiting[lane].popleft() if self._waiting[lane] else None
                if job is None:
                    del self._waiting[lane]
                    self._sending[lane] -= 1
                    if not self._sending[lane]:
                        del self._sending[lane]
        if self._short_of_room:
            self._wake.set()  # nothing waits for this endpoint's lanes: it may be claimed for

    def _send_and_report(self, job: Job, outcomes: queue.SimpleQueue) -> None:
        try:
            outcome = self.send(job)
        except Exception as exc:  # noqa: BLE001 - a bug in one send must not lose the delivery
            log.exception("delivery %s: send failed", job.delivery.id)
            outcome = Outcome(job.delivery.id, utcnow(), False, error=repr(exc)[:500])
        outcome.endpoint_id = job.delivery.endpoint_id
        outcome.attempt_id = job.attempt_id
        outcomes.put(outcome)

    def _let_go(self, delivery_ids) -> None:
        """Stop renewing these deliveries' leases: their outcome is written, or they are left
        to be claimed again when the lease runs out."""
        with self._lock:
            for delivery_id in delivery_ids:
                self._held.pop(delivery_id, None)

    def _renew_until(self, recorded: threading.Event) -> None:
        while not recorded.wait(self.renew_every):
            with self._lock:
                held = list(self._held.values())
            if held:
                try:
                    self.renew(held)
                except sa.exc.DBAPIError as exc:  # database restarting: the next round tries
                    log.warning("delivery worker: leases not renewed: %s", exc)

    def _record_until(self, outcomes: queue.SimpleQueue, sending_done: threading.Event) -> None:
        """Write outcomes in batches until sending is over and all are written: whatever has
        arrived within RECORD_LINGER of the first, so that a busy worker writes a few large
        batches rather than one per send. A batch that cannot be written leaves its deliveries
        leased: they are sent again when the lease runs out, which is late but never lost."""
        while True:
            batch = []
            try:
                batch.append(outcomes.get(timeout=self.poll_seconds))
                time.sleep(RECORD_LINGER)
                while len(batch) < RECORD_BATCH:
                    batch.append(outcomes.get_nowait())
            except queue.Empty:
                pass
            if batch:
                try:
                    self.record(batch)
                except Exception:  # noqa: BLE001 - the recorder must outlive a bad batch
                    log.exception("delivery worker: %d outcomes not recorded", len(batch))
                else:
                    log_outcomes(batch)
                self._let_go(o.delivery_id for o in batch)
            elif sending_done.is_set():
                return

    # --- the parts, each in its own module ------------------------------------------------

    def claim(
        self, limit: int, full: list[str] = (), outstanding: Counter | None = None
    ) -> list[Job]:
        """Lease up to `limit` due deliveries and load what sending them needs."""
        return self._claim(limit, full, outstanding or Counter())[0]

    def _claim(self, limit: int, full: list[str], outstanding: Counter) -> tuple[list[Job], int]:
        return claim_due(
            self.session_factory,
            limit,
            full=full,
            outstanding=outstanding,
            per_endpoint=self.per_endpoint,
            lease=self.lease,
        )

    def renew(self, jobs: list[Job]) -> None:
        renew_leases(self.session_factory, jobs, self.lease)

    def send(self, job: Job) -> Outcome:
        if job.delivery.channel == "webhook":
            return self.webhooks.send(job, utcnow())
        return self.mails.send(job, utcnow())

    def record(self, outcomes: list[Outcome]) -> None:
        self.recorder.record(outcomes)
