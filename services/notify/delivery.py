"""The delivery worker: sends due deliveries (webhooks and email), logs every attempt and
reschedules failures on the persisted retry schedule.

Crash safety: a delivery is claimed by moving its `next_attempt_at` a lease ahead (in its own
transaction, `FOR UPDATE SKIP LOCKED` on PostgreSQL so several workers share the work), and its
attempt is logged in that transaction, before it is sent; the outcome completes it after. While
the worker holds a delivery (waiting for a lane, sending, or its outcome not yet written) it
renews the lease every few seconds, so the lease can be short: a worker killed at any point
leaves the row pending and due again within LEASE_SECONDS, and its attempt in the log without
an outcome (sent or not: nobody knows). It is sent again with the same webhook-id /
Message-ID, so the receiver can tell it is the same message. Nothing claimed is ever dropped.

Concurrency: sends run on a thread pool. Each endpoint has at most IPMARKET_DELIVERY_PER_ENDPOINT
lanes (sends under way) and at most one round more claimed and waiting for them; an endpoint with
jobs waiting is left out of the next claim, so one slow or dead endpoint never holds up the
others, and a busy one is claimed for in batches rather than one delivery per finished send.
"""
from __future__ import annotations

import json
import logging
import queue
import random
import threading
import time
from collections import Counter, defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, sessionmaker
from urllib3 import Timeout
from urllib3.exceptions import HTTPError
from urllib3.util import parse_url

from services.notify import endpoints as endpoint_rules
from services.notify import mail, signatures
from services.notify.models import (
    DELIVERY_DUE_CHANNEL,
    Attempt,
    Delivery,
    Endpoint,
    KnownOrganisation,
    Notice,
)
from services.notify.network_guard import RefusedAddress, guarded_pool_manager
from shared import config
from shared.db.bulk_insert import insert_rows
from shared.db.schema import utcnow
from shared.db.wake import listen

log = logging.getLogger(__name__)

RESPONSE_BYTES = 1024  # how much of an answer an attempt keeps
THROTTLED = {429, 502, 503, 504}  # statuses whose Retry-After is honoured
CLAIM_BATCH = 500
RECORD_BATCH = 1000
RECORD_LINGER = 0.05  # seconds an outcome waits for others to be written with it
LONGEST_RETRY_AFTER = 24 * 3600.0  # a receiver asking for longer gets this
LEASE_SECONDS = 15.0  # how long a dead worker's claims wait before another worker takes them
RENEW_SECONDS = 4.0  # how often a live worker renews the leases of what it holds


def next_delay(attempts_made: int, schedule: tuple[float, ...], retry_after: float | None = None,
               rng: random.Random | None = None) -> float | None:
    """Seconds until the next attempt after `attempts_made` attempts, or None when the schedule
    is used up. Jitter of ±20 % keeps retries of many deliveries from arriving together."""
    if attempts_made >= len(schedule):
        return None
    if retry_after is not None:
        return min(max(retry_after, 0.0), LONGEST_RETRY_AFTER)
    return schedule[attempts_made] * (rng or random).uniform(0.8, 1.2)


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds or as an HTTP date (RFC 9110); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max((parsedate_to_datetime(value) - now).total_seconds(), 0.0)
    except (TypeError, ValueError):
        return None


def webhook_body(notice: Notice) -> bytes:
    """The Standard Webhooks payload: the event's type, timestamp and data."""
    timestamp = notice.occurred_at.isoformat().replace("+00:00", "Z")
    return json.dumps({"type": notice.event_type, "timestamp": timestamp, "data": notice.data},
                      ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


@dataclass
class Job:
    """Everything one send needs, loaded while claiming so that sending touches no database."""

    delivery: sa.Row  # of the delivery table
    notice: sa.Row  # of the notice table
    endpoint: sa.Row | None = None  # of the endpoint table
    organisation: sa.Row | None = None  # the recipient's directory entry
    names: dict = field(default_factory=dict)  # organisation id → directory entry
    leased_until: datetime = datetime.max.replace(tzinfo=UTC)  # its next_attempt_at while held
    attempt_id: int | None = None  # logged when claimed, before sending; completed after

    @property
    def key(self) -> str:
        return self.delivery.endpoint_id or "email"


@dataclass
class Outcome:
    delivery_id: str
    attempted_at: datetime
    succeeded: bool
    status_code: int | None = None
    latency_ms: float = 0.0
    response: str = ""
    error: str | None = None
    retry_after: float | None = None
    gone: bool = False  # 410: the receiver asks us to stop
    endpoint_id: str | None = None
    attempt_id: int | None = None  # the attempt logged before sending
    verdict: str = ""  # what recording it decided: delivered, retry at …, failed


class DeliveryWorker:
    def __init__(self, session_factory: sessionmaker[Session], *, threads: int | None = None,
                 per_endpoint: int | None = None, poll_seconds: float | None = None,
                 transport=None):
        self.session_factory = session_factory
        self.threads = threads or config.get("IPMARKET_DELIVERY_THREADS")
        self.per_endpoint = per_endpoint or config.get("IPMARKET_DELIVERY_PER_ENDPOINT")
        self.poll_seconds = poll_seconds or config.get("IPMARKET_DELIVERY_POLL_SECONDS")
        self.schedule = config.get("IPMARKET_WEBHOOK_RETRY_SECONDS")
        self.timeout = config.get("IPMARKET_WEBHOOK_TIMEOUT_SECONDS")
        self.disable_after = timedelta(hours=config.get("IPMARKET_WEBHOOK_DISABLE_AFTER_HOURS"))
        # A claimed delivery is left alone this long; after it, it counts as lost and is sent
        # again. Renewed while this worker holds it, so a send or a wait may last longer; a job
        # whose lease could not be renewed all the same is not sent (see _send_lane).
        self.lease = timedelta(seconds=LEASE_SECONDS)
        self.renew_every = RENEW_SECONDS
        self.transport = transport or mail.make_transport()
        # One pool manager for every sending thread: keep-alive connections to each endpoint.
        # As many connections per host as sends can be under way: endpoints often share a host.
        self.http = guarded_pool_manager(self.threads)
        self.http_timeout = Timeout(connect=self.timeout, read=self.timeout)
        self._pools: dict[str, tuple] = {}  # endpoint URL → (its pool, the path to post to)
        self._lock = threading.Lock()
        self._sending: Counter = Counter()  # endpoint (or "email") → lanes sending to it
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
        recorder = threading.Thread(target=self._record_until, args=(outcomes, sending_done),
                                    name="deliver-record")
        recorder.start()
        renewer = threading.Thread(target=self._renew_until, args=(recorded,),
                                   name="deliver-renew")
        renewer.start()
        if self._engine.dialect.name == "postgresql":
            threading.Thread(target=self._listen_for_due, args=(stop,), daemon=True,
                             name="deliver-listen").start()
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
        (see notices.wake_delivery_workers): a notice is sent within milliseconds, not at the
        next poll."""
        listen(self._engine, DELIVERY_DUE_CHANNEL, self._wake, stop, who="delivery worker")

    def _lanes(self, key: str) -> int:
        """How many sends to one endpoint may be under way at once (emails: any number)."""
        return self.threads if key == "email" else self.per_endpoint

    def _claim_room(self, pool: ThreadPoolExecutor, outcomes: queue.SimpleQueue) -> bool:
        """Claim what there is room for and start sending it; True when due work may have been
        left for want of room (claimed again when a lane runs out of jobs, see _send_lane)."""
        with self._lock:
            # Claimed but unfinished per endpoint: what its lanes send now and one round more.
            outstanding = Counter(self._sending)
            for key, waiting in self._waiting.items():
                outstanding[key] += len(waiting)
        room = 2 * self.threads - sum(outstanding.values())  # keep the pool busy
        # An endpoint with jobs waiting for its lanes is claimed for again once they are all
        # sending: a batch of deliveries per claim rather than one per finished send.
        full = [k for k, n in outstanding.items() if k != "email" and n > self.per_endpoint]
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
                if self._sending[job.key] < self._lanes(job.key):
                    self._sending[job.key] += 1
                    pool.submit(self._send_lane, job, outcomes)
                else:
                    self._waiting[job.key].append(job)
        return bool(full or skipped or len(jobs) >= min(room, CLAIM_BATCH))

    def _send_lane(self, job: Job, outcomes: queue.SimpleQueue) -> None:
        """Send `job`, then the jobs of the same endpoint waiting for a lane, one at a time."""
        key = job.key
        while job is not None:
            # Renewed in time, the lease is always a renewal or more ahead; one that is not
            # could run out during the send and have the delivery sent twice at once.
            if utcnow() < job.leased_until - timedelta(seconds=self.renew_every):
                self._send_and_report(job, outcomes)
            else:  # not renewed (database away): it is due again, and whoever claims it sends it
                log.warning("delivery %s: lease ran out before sending", job.delivery.id)
                self._let_go([job.delivery.id])
            with self._lock:
                job = self._waiting[key].popleft() if self._waiting[key] else None
                if job is None:
                    del self._waiting[key]
                    self._sending[key] -= 1
                    if not self._sending[key]:
                        del self._sending[key]
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

    def renew(self, jobs: list[Job]) -> None:
        """Move the lease of each of `jobs` a full lease ahead, unless its outcome was
        written meanwhile (which set next_attempt_at or the state)."""
        now = utcnow()
        leased_until = now + self.lease
        table = Delivery.__table__
        by_lease: dict[datetime, list[str]] = defaultdict(list)
        for job in jobs:
            by_lease[job.leased_until].append(job.delivery.id)
        with self.session_factory() as session, session.begin():
            renewed = set()
            for lease, ids in by_lease.items():
                renewed.update(session.scalars(
                    sa.update(table)
                    .where(_among(session, table.c.id, ids), table.c.state == "pending",
                           table.c.next_attempt_at == lease)
                    .values(next_attempt_at=leased_until).returning(table.c.id)))
        for job in jobs:
            if job.delivery.id in renewed:
                job.leased_until = leased_until

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
                    for outcome in batch:
                        _log_outcome(outcome)
                self._let_go(o.delivery_id for o in batch)
            elif sending_done.is_set():
                return

    # --- claiming -------------------------------------------------------------------------

    def claim(self, limit: int, full: list[str] = (), outstanding: Counter | None = None
              ) -> list[Job]:
        """Lease up to `limit` due deliveries and load what sending them needs."""
        return self._claim(limit, full, outstanding or Counter())[0]

    def _claim(self, limit: int, full: list[str], outstanding: Counter
               ) -> tuple[list[Job], int]:
        """The claimed jobs, and how many due deliveries were left because their endpoint
        has as many claimed as it may. Plain rows, not ORM objects: sending only reads them."""
        now = utcnow()
        table = Delivery.__table__
        with self.session_factory() as session, session.begin():
            query = (sa.select(table.c.id, table.c.endpoint_id)
                     .where(table.c.state == "pending", table.c.next_attempt_at <= now)
                     .order_by(table.c.next_attempt_at).limit(min(limit, CLAIM_BATCH))
                     .with_for_update(skip_locked=True))
            if full:
                query = query.where(sa.or_(table.c.endpoint_id.is_(None),
                                           sa.not_(_among(session, table.c.endpoint_id, full))))
            taken: Counter = Counter()
            chosen, skipped = [], 0
            for delivery_id, endpoint_id in session.execute(query):
                if endpoint_id and outstanding[endpoint_id] + taken[endpoint_id] >= \
                        2 * self.per_endpoint:
                    skipped += 1
                    continue  # left unleased: the next claim may take it
                taken[endpoint_id or "email"] += 1
                chosen.append(delivery_id)
            if not chosen:
                return [], skipped
            deliveries = session.execute(
                sa.update(table).where(_among(session, table.c.id, chosen))
                .values(next_attempt_at=now + self.lease).returning(*table.c)).all()
            attempts = _log_attempts(session, [d.id for d in deliveries], now)
            jobs = self._jobs(session, deliveries)
        for job in jobs:
            job.leased_until = now + self.lease
            job.attempt_id = attempts[job.delivery.id]
        jobs.sort(key=lambda job: job.delivery.created_at)  # RETURNING keeps no order
        return jobs, skipped

    def _jobs(self, session: Session, deliveries: list[sa.Row]) -> list[Job]:
        notices = _rows_by_key(session, Notice.__table__.c.event_id,
                               {d.notice_id for d in deliveries})
        endpoints = _rows_by_key(session, Endpoint.__table__.c.id,
                                 {d.endpoint_id for d in deliveries if d.endpoint_id})
        org_ids = {d.organisation_id for d in deliveries if d.channel == "email"}
        for d in deliveries:
            if d.channel == "email":
                data = notices[d.notice_id].data
                org_ids |= {data.get("vendor_id"), data.get("licensee_id")} - {None}
        organisations = _rows_by_key(session, KnownOrganisation.__table__.c.organisation_id,
                                     org_ids)
        return [Job(d, notices[d.notice_id], endpoints.get(d.endpoint_id),
                    organisations.get(d.organisation_id), organisations)
                for d in deliveries]

    # --- sending --------------------------------------------------------------------------

    def send(self, job: Job) -> Outcome:
        if job.delivery.channel == "webhook":
            return self.send_webhook(job)
        return self.send_email(job)

    def send_webhook(self, job: Job) -> Outcome:
        endpoint, delivery = job.endpoint, job.delivery
        now = utcnow()
        timestamp = int(now.timestamp())
        body = webhook_body(job.notice)
        headers = {
            "content-type": "application/json",
            "user-agent": "ipmarket-webhooks/1",
            "webhook-id": delivery.message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signatures.signature_header(
                webhook_id=delivery.message_id, timestamp=timestamp, body=body,
                secrets_=endpoint_rules.valid_secrets(endpoint, now),
                signing_key=endpoint.signing_key if "v1a" in endpoint.schemes else None),
        }
        started = time.perf_counter()
        try:
            # Redirects are failures, not followed (the target was checked, its redirect not).
            pool, path = self._pool_for(endpoint.url)
            response = pool.urlopen("POST", path, body=body, headers=headers,
                                    timeout=self.http_timeout, redirect=False, retries=False,
                                    preload_content=False, assert_same_host=False)
            answer = response.read(RESPONSE_BYTES)
            if response.length_remaining == 0:
                response.release_conn()  # read to the end: the connection can be kept
            else:
                response.close()  # more than we keep: drop the connection, not read it all
        except RefusedAddress as exc:
            return Outcome(delivery.id, now, False, latency_ms=_ms(started),
                           error=f"refused: {exc}")
        except (HTTPError, OSError) as exc:
            return Outcome(delivery.id, now, False, latency_ms=_ms(started),
                           error=f"{type(exc).__name__}: {exc}"[:500])
        status = response.status
        return Outcome(delivery.id, now, 200 <= status < 300, status, _ms(started),
                       answer.decode("utf-8", "replace"),
                       None if 200 <= status < 300 else f"HTTP {status}",
                       retry_after=retry_after_seconds(response.headers.get("retry-after"), now)
                       if status in THROTTLED else None,
                       gone=status == 410)

    def _pool_for(self, url: str):
        """The keep-alive pool of `url`'s origin and the path to post to: found once per URL,
        not parsed and looked up again for every webhook (a tenth of a send's CPU)."""
        found = self._pools.get(url)
        if found is None or found[0].pool is None:  # None: the manager closed it (too many)
            if len(self._pools) > 10_000:
                self._pools.clear()
            parsed = parse_url(url)
            found = self._pools[url] = (self.http.connection_from_url(url),
                                        parsed.request_uri)
        return found

    def send_email(self, job: Job) -> Outcome:
        delivery, notice = job.delivery, job.notice
        now = utcnow()
        started = time.perf_counter()
        if job.organisation is None:
            return Outcome(delivery.id, now, False, error="organisation unknown")
        message = mail.compose(event_type=notice.event_type, occurred_at=notice.occurred_at,
                               data=notice.data, organisation=job.organisation,
                               names=job.names, to_name=delivery.recipient_name or "",
                               to_address=delivery.address, message_id=delivery.message_id,
                               now=now)
        try:
            code, answer = self.transport.send(message)
        except mail.MailError as exc:
            return Outcome(delivery.id, now, False, exc.code, _ms(started), error=str(exc)[:500])
        return Outcome(delivery.id, now, True, code, _ms(started), answer[:RESPONSE_BYTES])

    # --- recording ------------------------------------------------------------------------

    def record(self, outcomes: list[Outcome]) -> None:
        """Log the attempts and move each delivery on: done, retry later, or failed."""
        now = utcnow()
        try:
            with self.session_factory() as session, session.begin():
                self._record_successes(session, [o for o in outcomes if o.succeeded], now)
                self._record_failures(session, [o for o in outcomes if not o.succeeded], now)
        except sa.exc.IntegrityError:
            # A delivery was deleted meanwhile (with its endpoint): record the rest one by one.
            for outcome in outcomes if len(outcomes) > 1 else ():
                self.record([outcome])

    def _record_successes(self, session: Session, outcomes: list[Outcome], now: datetime
                          ) -> None:
        # The common case, in a few statements for the whole batch.
        if not outcomes:
            return
        _write_attempts(session, outcomes)
        for outcome in outcomes:
            outcome.verdict = "delivered"
        table = Delivery.__table__
        session.execute(
            sa.update(table).where(_among(session, table.c.id, [o.delivery_id for o in outcomes]))
            .values(state="succeeded", attempts=table.c.attempts + 1, delivered_at=now,
                    last_error=None))
        recovered = {o.endpoint_id for o in outcomes if o.endpoint_id}
        if recovered:
            session.execute(sa.update(Endpoint.__table__)
                            .where(_among(session, Endpoint.id, recovered),
                                   Endpoint.failing_since.is_not(None))
                            .values(failing_since=None))

    def _record_failures(self, session: Session, outcomes: list[Outcome], now: datetime
                         ) -> None:
        if not outcomes:
            return
        deliveries = _by_key(session, Delivery, Delivery.id, {o.delivery_id for o in outcomes})
        endpoints = _by_key(session, Endpoint, Endpoint.id,
                            {d.endpoint_id for d in deliveries.values() if d.endpoint_id})
        _write_attempts(session, [o for o in outcomes if o.delivery_id in deliveries])
        for outcome in outcomes:
            delivery = deliveries.get(outcome.delivery_id)
            if delivery is None:  # its endpoint was deleted meanwhile
                outcome.verdict = "dropped: endpoint deleted"
                continue
            outcome.verdict = self._move_on(session, delivery,
                                            endpoints.get(delivery.endpoint_id), outcome, now)

    def _move_on(self, session: Session, delivery: Delivery, endpoint: Endpoint | None,
                 outcome: Outcome, now: datetime) -> str:
        """Count the failed attempt and decide what comes next; returns what was decided."""
        delivery.attempts += 1
        delivery.last_error = (outcome.error or "failed")[:500]
        if endpoint is not None:
            endpoint.failing_since = endpoint.failing_since or outcome.attempted_at
            if outcome.gone:
                delivery.state = "failed"
                endpoint_rules.disable_endpoint(session, endpoint, "the endpoint answered 410 Gone",
                                                now)
                return "failed: endpoint gone, disabled"
            if now - endpoint.failing_since >= self.disable_after:
                delivery.state = "failed"
                endpoint_rules.disable_endpoint(
                    session, endpoint,
                    f"failing continuously since {endpoint.failing_since.isoformat()}", now)
                return "failed: endpoint failing too long, disabled"
        if delivery.state != "pending":
            return "failed: endpoint disabled"  # meanwhile
        delay = next_delay(delivery.attempts, self.schedule, outcome.retry_after)
        if delay is None:
            delivery.state = "failed"
            return "failed: retries used up"
        delivery.next_attempt_at = now + timedelta(seconds=delay)
        return f"retry in {delay:.0f} s"


def _log_attempts(session: Session, delivery_ids: list[str], now: datetime) -> dict[str, int]:
    """An attempt without outcome for each delivery just claimed, in the claim's transaction
    (no round trip of its own), so that whatever is sent is in the log even if the worker dies
    before writing the outcome. Its id by delivery id."""
    table = Attempt.__table__
    rows = [{"delivery_id": delivery_id, "attempted_at": now, "succeeded": None,
             "status_code": None, "latency_ms": None, "response": "", "error": None}
            for delivery_id in delivery_ids]
    ids = session.scalars(sa.insert(table).returning(table.c.id, sort_by_parameter_order=True),
                          rows).all()
    return dict(zip(delivery_ids, ids, strict=True))


def _outcome_fields(outcome: Outcome) -> dict:
    return {"attempted_at": outcome.attempted_at, "succeeded": outcome.succeeded,
            "status_code": outcome.status_code,
            "latency_ms": round(outcome.latency_ms, 2),
            "response": outcome.response.replace("\x00", ""), "error": outcome.error}


def _write_attempts(session: Session, outcomes: list[Outcome]) -> None:
    """Complete the attempts logged at claim with their outcomes and the time the send began
    (and log whole the attempts of outcomes reported without one)."""
    table = Attempt.__table__
    completed = [{"id": o.attempt_id, **_outcome_fields(o)}
                 for o in outcomes if o.attempt_id is not None]
    if completed and session.get_bind().dialect.name == "postgresql":
        # One statement for the batch: UPDATE … FROM unnest(one array per column).
        names = list(completed[0])
        rows = sa.func.unnest(*(
            sa.bindparam(f"o_{name}", [row[name] for row in completed],
                         type_=ARRAY(table.c[name].type))
            for name in names)).table_valued(*names).render_derived()
        session.execute(sa.update(table).where(table.c.id == rows.c.id)
                        .values({name: rows.c[name] for name in names[1:]}))
    elif completed:
        session.connection().execute(
            sa.update(table).where(table.c.id == sa.bindparam("o_id"))
            .values({name: sa.bindparam(f"o_{name}") for name in list(completed[0])[1:]}),
            [{f"o_{name}": value for name, value in row.items()} for row in completed])
    insert_rows(session.connection(), table,
                [{"delivery_id": o.delivery_id, **_outcome_fields(o)}
                 for o in outcomes if o.attempt_id is None])


def _log_outcome(outcome: Outcome) -> None:
    """One line per delivery outcome: ids, status and what comes next. No URL, address or
    answer (they may carry secrets or personal data); of an error only its kind."""
    error = None if outcome.status_code else (outcome.error or "").split(":")[0][:80]
    log.info("delivery %s (attempt %s, %s): %s, status %s, %.0f ms%s", outcome.delivery_id,
             outcome.attempt_id, f"endpoint {outcome.endpoint_id}" if outcome.endpoint_id
             else "email", outcome.verdict, outcome.status_code, outcome.latency_ms,
             f", {error}" if error and not outcome.succeeded else "",
             extra={"delivery_id": outcome.delivery_id, "attempt_id": outcome.attempt_id,
                    "endpoint_id": outcome.endpoint_id, "status_code": outcome.status_code,
                    "outcome": outcome.verdict})


def _by_key(session: Session, model, column, keys: set) -> dict:
    if not keys:
        return {}
    return {getattr(row, column.key): row
            for row in session.scalars(sa.select(model).where(_among(session, column, keys)))}


def _rows_by_key(session: Session, column: sa.Column, keys: set) -> dict:
    """Plain rows of `column`'s table by `column`: for reading, lighter than ORM objects."""
    if not keys:
        return {}
    return {getattr(row, column.key): row
            for row in session.execute(sa.select(column.table)
                                       .where(_among(session, column, keys)))}


def _among(session: Session, column, values) -> sa.ColumnElement[bool]:
    """`column IN values`; on PostgreSQL as `column = ANY(array)`, one statement text whatever
    the number of values, so that neither SQLAlchemy nor psycopg renders and parses it anew
    for each batch size, and PostgreSQL runs it as a prepared statement."""
    if session.get_bind().dialect.name != "postgresql":
        return column.in_(list(values))
    return column == sa.any_(sa.bindparam(None, list(values), type_=ARRAY(column.type)))


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
