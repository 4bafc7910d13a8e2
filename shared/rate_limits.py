"""Rate limits per API key and per client address, counted in the service's own database so
that they hold across every server process of the service.

Fixed windows: a bucket (a key, an address) may make `requests` requests in each window of
`seconds`, windows aligned on the epoch. A client can therefore send up to twice its limit
across a window boundary.

Leases: a process takes a bucket's requests from the database a lease at a time (one upsert
that adds the lease and returns the new count), and counts the lease down in memory. A lease is
a hundredth of the rate (one request below 200 a window, so small limits stay exact), so the
database sees one statement per lease instead of one per request, and concurrent requests of one
key or address do not queue on its row (without leases that queue cost an issuance 3 ms of
server CPU and its p99 at 200/s rose tenfold in bench licensing). What the leases grant never
adds up to more than the limit; a client may get fewer when a process it no longer reaches holds
part of a lease (at most a hundredth of the limit per process).

Why not `limits`/`flask-limiter`: `limits` has no SQL storage, and its storage interface asks
for a window's count and its expiry in separate calls (three round trips per bucket to answer
with the RateLimit headers, where one statement does here); flask-limiter's headers are the
X-RateLimit-* ones with an epoch reset, not the IETF fields.

The answer carries the fields of draft-ietf-httpapi-ratelimit-headers-06 for the bucket
nearest its limit: RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset (seconds until the
window ends) and RateLimit-Policy ("600;w=60"); a refused request also gets Retry-After.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rate:
    """`requests` per `seconds`, written "600/60"."""

    requests: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        count, sep, period = text.partition("/")
        try:
            rate = cls(int(count), int(period))
        except ValueError:
            rate = None
        if not sep or rate is None or rate.requests <= 0 or rate.seconds <= 0:
            raise ValueError("must be REQUESTS/SECONDS with positive integers, e.g. 600/60")
        return rate

    def __str__(self) -> str:
        return f"{self.requests}/{self.seconds}"


class RateLimitCounterMixin:
    """One row per bucket: the hits of its current window (`class RateLimitCounter(…, Base)`)."""

    __tablename__ = "rate_limit_counter"

    bucket: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    window_start: Mapped[int] = mapped_column(sa.BigInteger)  # epoch seconds
    hits: Mapped[int] = mapped_column()


@dataclass
class _Lease:
    """Requests of one bucket's window that this process took from the database."""

    window_start: int
    total: int = 0  # the window's count in the database after this process's last lease
    granted: int = 0  # requests this process may pass in the window, all its leases together
    used: int = 0

    @property
    def hits(self) -> int:
        """The window's requests counted so far everywhere, as far as this process knows."""
        return self.total - (self.granted - self.used)

    def take(self, rate: Rate) -> int:
        """Count this request: the hits, past the limit when no lease is left."""
        if self.used < self.granted:
            self.used += 1
            # A granted request is within the limit, whatever other leases made the count.
            return min(self.hits, rate.requests)
        return max(self.hits, rate.requests + 1)


def lease_size(rate: Rate) -> int:
    return min(max(rate.requests // 100, 1), 1000)


@dataclass(frozen=True)
class Verdict:
    """The state of the bucket nearest its limit after this request was counted."""

    rate: Rate
    hits: int
    reset_after: int  # seconds until that bucket's window ends

    @property
    def allowed(self) -> bool:
        return self.hits <= self.rate.requests

    @property
    def remaining(self) -> int:
        return max(self.rate.requests - self.hits, 0)

    def headers(self) -> dict[str, str]:
        headers = {
            "RateLimit-Limit": str(self.rate.requests),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_after),
            "RateLimit-Policy": f"{self.rate.requests};w={self.rate.seconds}",
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.reset_after)
        return headers


class RateLimiter:
    """Counts a request against its buckets (a statement per lease) and says whether it may
    pass."""

    # Rows of buckets not seen for this long are deleted, once per sweep interval per process.
    FORGET_AFTER = 86_400
    SWEEP_EVERY = 600
    MAX_REFUSED = 10_000

    def __init__(
        self, engine: sa.Engine, table: sa.Table, *, clock: Callable[[], float] = time.time
    ):
        self.engine = engine
        self.autocommit = engine.dialect.name == "postgresql"
        self.table = table
        self.clock = clock
        self._next_sweep = 0.0
        self._statements: dict[int, str] = {}
        self._leases: dict[str, _Lease] = {}
        self._lock = threading.Lock()  # SQLite's thread workers share one limiter
        # Buckets found over their limit, until their window ends: a flood is then refused
        # without a statement, so that it costs the database (and other clients) nothing.
        self._refused: dict[str, tuple[Rate, int]] = {}

    def hit(self, buckets: list[tuple[str, Rate]]) -> Verdict:
        """Count one request against each (bucket, rate); the bucket nearest its limit."""
        now = self.clock()
        buckets = sorted(buckets)  # the same lock order in every transaction: no deadlock
        windows, hits, wanted = {}, {}, []
        with self._lock:
            for bucket, rate in buckets:
                window_start = int(now // rate.seconds) * rate.seconds
                windows[bucket] = (rate, window_start)
                lease = self._leases.get(bucket)
                if (
                    lease is not None
                    and lease.window_start == window_start
                    and lease.used < lease.granted
                ):
                    # What is left of a lease passes even when a later lease found the limit
                    # reached: the leases' answers can come back in any order.
                    hits[bucket] = lease.take(rate)
                    continue
                refused = self._refused.get(bucket)
                if refused is not None:
                    refused_rate, window_end = refused
                    if now < window_end:
                        return Verdict(
                            refused_rate,
                            refused_rate.requests + 1,
                            max(math.ceil(window_end - now), 1),
                        )
                    del self._refused[bucket]
                wanted.append((bucket, rate, window_start))
        if wanted:
            hits.update(self._take_leases(wanted, now))
        verdicts = []
        for bucket, (rate, window_start) in windows.items():
            reset_after = max(math.ceil(window_start + rate.seconds - now), 1)
            verdicts.append(Verdict(rate, hits[bucket], reset_after))
        refused = [v for v in verdicts if not v.allowed]
        if refused:
            if len(self._refused) >= self.MAX_REFUSED:
                self._refused.clear()  # a crude bound: forgetting costs only statements
            for bucket, (rate, window_start) in windows.items():
                if hits[bucket] > rate.requests:
                    self._refused[bucket] = (rate, window_start + rate.seconds)
            return max(refused, key=lambda v: v.reset_after)
        return min(verdicts, key=lambda v: (v.remaining, -v.reset_after))

    def _take_leases(self, wanted: list[tuple[str, Rate, int]], now: float) -> dict[str, int]:
        """One statement adding a lease to each bucket in `wanted`, then this request counted:
        each bucket's hits. Leases taken at once by concurrent requests add up, none is lost."""
        params = []
        for bucket, rate, window_start in wanted:
            params += (bucket, window_start, lease_size(rate))
        with self.engine.begin() as connection:
            totals = dict(self._execute(connection, self._statement(len(wanted)), params))
            if now >= self._next_sweep:
                self._next_sweep = now + self.SWEEP_EVERY
                connection.execute(
                    self.table.delete().where(
                        self.table.c.window_start < int(now) - self.FORGET_AFTER
                    )
                )
        hits = {}
        with self._lock:
            if len(self._leases) >= self.MAX_REFUSED:
                self._leases.clear()  # forgetting unused leases only makes limits stricter
            for bucket, rate, window_start in wanted:
                size, total = lease_size(rate), totals[bucket]
                lease = self._leases.get(bucket)
                if lease is None or lease.window_start != window_start:
                    lease = self._leases[bucket] = _Lease(window_start)
                # Of this lease, what is still under the limit.
                lease.granted += min(size, max(rate.requests - (total - size), 0))
                lease.total = max(lease.total, total)
                hits[bucket] = lease.take(rate)
        return hits

    def _execute(self, connection: sa.Connection, sql: str, params: list) -> list:
        if not self.autocommit:  # SQLite: in the transaction of BEGIN IMMEDIATE
            return connection.exec_driver_sql(sql, tuple(params)).all()
        # On PostgreSQL the upsert is atomic alone: in autocommit, before SQLAlchemy begins
        # anything, it is one round trip (BEGIN, statement, COMMIT and an isolation level
        # switched and reset made seven, and 1.2 ms of CPU per request instead of 0.5).
        driver = connection.connection.driver_connection
        driver.autocommit = True
        try:
            return driver.execute(sql, params).fetchall()
        finally:
            driver.autocommit = False

    def _statement(self, count: int) -> str:
        # The driver's own SQL, written once per bucket count: nothing for SQLAlchemy to
        # compile per request.
        statement = self._statements.get(count)
        if statement is None:
            name = self.table.name
            mark = "%s" if self.engine.dialect.paramstyle in ("format", "pyformat") else "?"
            values = ", ".join(f"({mark}, {mark}, {mark})" for _ in range(count))
            statement = (
                f"INSERT INTO {name} (bucket, window_start, hits) VALUES {values} "
                f"ON CONFLICT (bucket) DO UPDATE SET "
                f"hits = CASE WHEN {name}.window_start = excluded.window_start "
                f"THEN {name}.hits + excluded.hits ELSE excluded.hits END, "
                f"window_start = excluded.window_start "
                f"RETURNING bucket, hits"
            )
            self._statements[count] = statement
        return statement
