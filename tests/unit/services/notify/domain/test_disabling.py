"""When an endpoint is switched off (services/notify/domain/disabling.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.notify.domain import disabling

NOW = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def test_410_gone_disables_at_once():
    assert (
        disabling.reason_to_disable(gone=True, failing_since=None, now=NOW, disable_after=DAY)
        == disabling.REASON_GONE
    )


def test_a_fresh_failure_keeps_the_endpoint():
    assert (
        disabling.reason_to_disable(gone=False, failing_since=NOW, now=NOW, disable_after=DAY)
        is None
    )


def test_failing_just_under_the_limit_keeps_it():
    since = NOW - DAY + timedelta(seconds=1)
    assert (
        disabling.reason_to_disable(gone=False, failing_since=since, now=NOW, disable_after=DAY)
        is None
    )


def test_failing_for_the_whole_limit_disables_it_naming_since_when():
    since = NOW - DAY
    reason = disabling.reason_to_disable(
        gone=False, failing_since=since, now=NOW, disable_after=DAY
    )
    assert reason == f"failing continuously since {since.isoformat()}"


def test_the_run_of_failures_starts_at_the_first_one():
    first = NOW - timedelta(hours=3)
    assert disabling.failing_since_after_failure(None, NOW) == NOW
    assert disabling.failing_since_after_failure(first, NOW) == first


def test_the_verdict_says_why_it_was_disabled():
    assert (
        disabling.verdict_for_disabling(disabling.REASON_GONE) == "failed: endpoint gone, disabled"
    )
    assert (
        disabling.verdict_for_disabling("failing continuously since x")
        == "failed: endpoint failing too long, disabled"
    )


def test_a_stored_reason_is_bounded():
    assert len(disabling.stored_reason("x" * 1000)) == disabling.REASON_LENGTH
    assert disabling.stored_reason("short") == "short"
