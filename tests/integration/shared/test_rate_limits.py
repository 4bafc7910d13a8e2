"""The rate limiter's counting: fixed windows in the database, shared by every process that
counts against the same table, on PostgreSQL."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from shared.db.engine import create_engine
from shared.rate_limits import Rate, RateLimiter


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def database_url(make_database):
    """A migrated licensing database on PostgreSQL: the counters table as the migration
    creates it. (The same tests on SQLite, in memory: tests/unit/shared/test_rate_limits.py.)"""
    return make_database("licensing")


def limiter(url: str, clock: Clock) -> RateLimiter:
    engine = create_engine(url)
    table = sa.Table("rate_limit_counter", sa.MetaData(), autoload_with=engine)
    return RateLimiter(engine, table, clock=clock)


def test_a_bucket_passes_its_limit_in_a_window_then_is_refused_until_the_next(database_url):
    clock = Clock(999_980.5)  # 20.5 s into a 60 s window (windows start at multiples of 60)
    limits = limiter(database_url, clock)
    rate = Rate(3, 60)
    verdicts = [limits.hit([("key:a", rate)]) for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert [v.remaining for v in verdicts] == [2, 1, 0, 0]
    assert verdicts[0].headers() == {"RateLimit-Limit": "3", "RateLimit-Remaining": "2",
                                     "RateLimit-Reset": "40", "RateLimit-Policy": "3;w=60"}
    assert verdicts[3].headers()["Retry-After"] == "40"
    assert "Retry-After" not in verdicts[2].headers()
    clock.now += 39
    assert not limits.hit([("key:a", rate)]).allowed
    clock.now += 1  # the next window
    assert limits.hit([("key:a", rate)]).remaining == 2
    assert limits.hit([("key:b", rate)]).remaining == 2  # other buckets count on their own


def test_two_processes_counting_in_one_database_share_the_limit(database_url):
    clock = Clock(1_000_000.0)
    first, second = limiter(database_url, clock), limiter(database_url, clock)
    rate = Rate(10, 60)
    allowed = [(first if i % 2 else second).hit([("address:192.0.2.7", rate)]).allowed
               for i in range(16)]
    assert allowed.count(True) == 10
    assert allowed[10:] == [False] * 6


def test_a_large_limit_is_counted_by_leases_one_statement_per_hundredth(database_url):
    clock = Clock(1_000_000.0)
    first, second = limiter(database_url, clock), limiter(database_url, clock)
    rate = Rate(1000, 60)  # leases of 10
    statements = []
    for limits in (first, second):
        take = limits._take_leases
        limits._take_leases = lambda wanted, now, take=take: (statements.append(wanted),
                                                              take(wanted, now))[1]
    verdicts = [(first if i % 3 else second).hit([("key:a", rate)]) for i in range(1200)]
    allowed = [v.allowed for v in verdicts]
    # The 1000 divide into whole leases, so together the processes pass exactly the limit
    # (one may still spend its last lease when the other is refused).
    assert allowed.count(True) == 1000
    assert len(statements) == 100 + 2  # a lease per 10 requests, and each process's refusal
    assert verdicts[0].remaining == 999


def test_the_answer_is_the_bucket_nearest_its_limit_and_every_bucket_counts(database_url):
    clock = Clock(1_000_000.0)
    limits = limiter(database_url, clock)
    key, address = Rate(5, 60), Rate(3, 10)
    verdict = limits.hit([("key:a", key), ("address:x", address)])
    assert (verdict.rate, verdict.remaining) == (address, 2)
    for _ in range(2):
        limits.hit([("key:a", key), ("address:x", address)])
    refused = limits.hit([("key:b", key), ("address:x", address)])
    assert (refused.allowed, refused.rate, refused.reset_after) == (False, address, 10)
    clock.now += 10  # the address's window ends; key:a has counted 3 of its 5
    assert limits.hit([("key:a", key), ("address:x", address)]).remaining == 1
