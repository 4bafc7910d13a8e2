"""The rate limiter's arithmetic with an injected clock: fixed windows, leases, the bucket
nearest its limit, several processes sharing one table (SQLite in memory, one connection shared
by the "processes"; tests/integration/shared/test_rate_limits.py runs the same on PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy.pool import StaticPool

from shared import config
from shared.db.engine import create_engine
from shared.db.schema import make_base
from shared.rate_limits import Rate, RateLimitCounterMixin, RateLimiter

Base = make_base()


class RateLimitCounter(RateLimitCounterMixin, Base):
    pass


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def engine():
    engine = create_engine("sqlite://", poolclass=StaticPool)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def limiter(engine, clock: Clock) -> RateLimiter:
    return RateLimiter(engine, RateLimitCounter.__table__, clock=clock)


def test_a_bucket_passes_its_limit_in_a_window_then_is_refused_until_the_next(engine):
    clock = Clock(999_980.5)  # 20.5 s into a 60 s window (windows start at multiples of 60)
    limits = limiter(engine, clock)
    rate = Rate(3, 60)
    verdicts = [limits.hit([("key:a", rate)]) for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert [v.remaining for v in verdicts] == [2, 1, 0, 0]
    assert verdicts[0].headers() == {
        "RateLimit-Limit": "3",
        "RateLimit-Remaining": "2",
        "RateLimit-Reset": "40",
        "RateLimit-Policy": "3;w=60",
    }
    assert verdicts[3].headers()["Retry-After"] == "40"
    assert "Retry-After" not in verdicts[2].headers()
    clock.now += 39
    assert not limits.hit([("key:a", rate)]).allowed
    clock.now += 1  # the next window
    assert limits.hit([("key:a", rate)]).remaining == 2
    assert limits.hit([("key:b", rate)]).remaining == 2  # other buckets count on their own


def test_two_processes_counting_in_one_database_share_the_limit(engine):
    clock = Clock(1_000_000.0)
    first, second = limiter(engine, clock), limiter(engine, clock)
    rate = Rate(10, 60)
    allowed = [
        (first if i % 2 else second).hit([("address:192.0.2.7", rate)]).allowed for i in range(16)
    ]
    assert allowed.count(True) == 10
    assert allowed[10:] == [False] * 6


def test_a_large_limit_is_counted_by_leases_one_statement_per_hundredth(engine):
    clock = Clock(1_000_000.0)
    first, second = limiter(engine, clock), limiter(engine, clock)
    rate = Rate(1000, 60)  # leases of 10
    statements = []
    for limits in (first, second):
        take = limits._take_leases
        limits._take_leases = lambda wanted, now, take=take: (
            statements.append(wanted),
            take(wanted, now),
        )[1]
    verdicts = [(first if i % 3 else second).hit([("key:a", rate)]) for i in range(1200)]
    allowed = [v.allowed for v in verdicts]
    # The 1000 divide into whole leases, so together the processes pass exactly the limit
    # (one may still spend its last lease when the other is refused).
    assert allowed.count(True) == 1000
    assert len(statements) == 100 + 2  # a lease per 10 requests, and each process's refusal
    assert verdicts[0].remaining == 999


def test_the_answer_is_the_bucket_nearest_its_limit_and_every_bucket_counts(engine):
    clock = Clock(1_000_000.0)
    limits = limiter(engine, clock)
    key, address = Rate(5, 60), Rate(3, 10)
    verdict = limits.hit([("key:a", key), ("address:x", address)])
    assert (verdict.rate, verdict.remaining) == (address, 2)
    for _ in range(2):
        limits.hit([("key:a", key), ("address:x", address)])
    refused = limits.hit([("key:b", key), ("address:x", address)])
    assert (refused.allowed, refused.rate, refused.reset_after) == (False, address, 10)
    clock.now += 10  # the address's window ends; key:a has counted 3 of its 5
    assert limits.hit([("key:a", key), ("address:x", address)]).remaining == 1


@pytest.mark.parametrize(
    "text", ["600", "600/", "/60", "0/60", "600/0", "-1/60", "a/60", "600/60/1", "1.5/60"]
)
def test_a_malformed_rate_stops_start_up_naming_the_setting(text):
    with pytest.raises(config.ConfigError, match="IPMARKET_RATE_LIMIT_PER_KEY"):
        config.get("IPMARKET_RATE_LIMIT_PER_KEY", {"IPMARKET_RATE_LIMIT_PER_KEY": text})
    assert config.get("IPMARKET_RATE_LIMIT_PER_KEY", {}) == Rate(6000, 60)
