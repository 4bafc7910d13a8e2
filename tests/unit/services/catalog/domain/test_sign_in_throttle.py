"""Failed sign-ins: a few are free, then each further one doubles the wait, capped; a quiet
hour forgets them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.catalog.domain.sign_in_throttle import (
    ACCOUNT,
    ADDRESS,
    FORGET_AFTER,
    LONGEST_WAIT,
    account_bucket,
    address_bucket,
    after_failure,
    seconds_to_wait,
)

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def failures(policy, count: int) -> tuple[int, datetime | None]:
    failed, blocked = 0, None
    for _ in range(count):
        failed, blocked = after_failure(policy, failed, NOW if failed else None, NOW)
    return failed, blocked


def test_the_free_failures_cost_no_wait():
    assert failures(ACCOUNT, ACCOUNT.free_failures) == (ACCOUNT.free_failures, None)


def test_each_failure_past_the_free_ones_doubles_the_wait():
    waits = [failures(ACCOUNT, ACCOUNT.free_failures + n)[1] - NOW for n in (1, 2, 3)]
    assert waits == [ACCOUNT.first_wait, 2 * ACCOUNT.first_wait, 4 * ACCOUNT.first_wait]


def test_the_wait_is_capped():
    assert failures(ACCOUNT, 200)[1] - NOW == LONGEST_WAIT


def test_an_address_has_more_free_failures_than_an_account():
    assert ADDRESS.free_failures > ACCOUNT.free_failures
    assert failures(ADDRESS, ACCOUNT.free_failures + 1)[1] is None


def test_a_quiet_hour_forgets_the_failures():
    failed, _ = failures(ACCOUNT, ACCOUNT.free_failures + 3)
    later = NOW + FORGET_AFTER
    assert after_failure(ACCOUNT, failed, NOW, later) == (1, None)


def test_retry_after_is_whole_seconds_rounded_up_and_zero_when_free():
    assert seconds_to_wait(None, NOW) == 0
    assert seconds_to_wait(NOW - timedelta(seconds=1), NOW) == 0
    assert seconds_to_wait(NOW + timedelta(milliseconds=1), NOW) == 1
    assert seconds_to_wait(NOW + timedelta(seconds=1.2), NOW) == 2


def test_buckets_keep_accounts_and_addresses_apart_and_bounded():
    assert account_bucket("a@b.example") != address_bucket("a@b.example")
    assert len(account_bucket("x" * 1000)) == 300
