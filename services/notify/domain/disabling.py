"""When a webhook endpoint is switched off: it answered 410 Gone (the receiver asks us to stop),
or every attempt to it has failed for longer than the configured time. A success in between
starts the count again (`failing_since` is cleared)."""

from __future__ import annotations

from datetime import datetime, timedelta

GONE = 410
REASON_GONE = "the endpoint answered 410 Gone"
REASON_LENGTH = 200  # what an endpoint keeps of a reason


def failing_since_after_failure(failing_since: datetime | None, attempted_at: datetime) -> datetime:
    """The start of the endpoint's run of failures, once this failed attempt is counted."""
    return failing_since or attempted_at


def reason_to_disable(
    *, gone: bool, failing_since: datetime | None, now: datetime, disable_after: timedelta
) -> str | None:
    """Why the endpoint must be disabled after a failed attempt; None: keep trying it."""
    if gone:
        return REASON_GONE
    if failing_since is not None and now - failing_since >= disable_after:
        return f"failing continuously since {failing_since.isoformat()}"
    return None


def verdict_for_disabling(reason: str) -> str:
    """What the attempt's log line says when it disabled its endpoint."""
    if reason == REASON_GONE:
        return "failed: endpoint gone, disabled"
    return "failed: endpoint failing too long, disabled"


def stored_reason(reason: str) -> str:
    return reason[:REASON_LENGTH]
