"""The retry schedule and Retry-After (pure logic)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from services.notify.domain.retries import next_delay, retry_after_seconds

SCHEDULE = (0.0, 5.0, 300.0, 1800.0)


def test_each_retry_follows_the_schedule_with_twenty_percent_jitter():
    rng = random.Random(7)
    for attempts_made, planned in enumerate(SCHEDULE):
        delays = [next_delay(attempts_made, SCHEDULE, rng=rng) for _ in range(200)]
        assert all(planned * 0.8 <= d <= planned * 1.2 for d in delays)
        if planned:
            assert len(set(delays)) > 100  # jittered, not all at once


def test_the_schedule_runs_out():
    assert next_delay(len(SCHEDULE), SCHEDULE) is None


def test_retry_after_wins_over_the_schedule_but_is_bounded():
    assert next_delay(1, SCHEDULE, retry_after=42) == 42
    assert next_delay(1, SCHEDULE, retry_after=10**9) == 24 * 3600
    assert next_delay(len(SCHEDULE), SCHEDULE, retry_after=1) is None


def test_retry_after_is_read_as_seconds_or_as_an_http_date():
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("Tue, 24 Nov 2026 12:01:30 GMT", now) == 90
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_retry_after_is_honoured_only_for_throttling_statuses():
    from services.notify.domain.retries import honoured_retry_after

    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert honoured_retry_after(429, "30", now) == 30
    assert honoured_retry_after(503, "30", now) == 30
    assert honoured_retry_after(500, "30", now) is None
    assert honoured_retry_after(200, "30", now) is None


def test_a_retry_after_date_in_the_past_means_now():
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("Tue, 24 Nov 2026 11:00:00 GMT", now) == 0.0


def test_a_negative_retry_after_is_not_a_delay_into_the_past():
    assert next_delay(0, SCHEDULE, retry_after=-5) == 0.0


def test_only_2xx_is_success():
    from services.notify.domain.retries import is_success

    assert is_success(200) and is_success(204) and is_success(299)
    assert not is_success(199) and not is_success(301) and not is_success(410)
