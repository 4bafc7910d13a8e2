"""When a failed delivery is tried again: the persisted retry schedule with jitter, bounded by
what the receiver asks for in Retry-After (RFC 9110)."""

from __future__ import annotations

import random
from datetime import datetime
from email.utils import parsedate_to_datetime

LONGEST_RETRY_AFTER = 24 * 3600.0  # a receiver asking for longer gets this
THROTTLED = frozenset({429, 502, 503, 504})  # statuses whose Retry-After is honoured
JITTER = (0.8, 1.2)  # ±20 % keeps retries of many deliveries from arriving together


def next_delay(
    attempts_made: int,
    schedule: tuple[float, ...],
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float | None:
    """Seconds until the next attempt after `attempts_made` attempts, or None when the schedule
    is used up."""
    if attempts_made >= len(schedule):
        return None
    if retry_after is not None:
        return min(max(retry_after, 0.0), LONGEST_RETRY_AFTER)
    return schedule[attempts_made] * (rng or random).uniform(*JITTER)


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds or as an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max((parsedate_to_datetime(value) - now).total_seconds(), 0.0)
    except (TypeError, ValueError):
        return None


def honoured_retry_after(status: int, header: str | None, now: datetime) -> float | None:
    """The Retry-After a webhook answer asks for, when its status is one that may ask."""
    return retry_after_seconds(header, now) if status in THROTTLED else None


def is_success(status: int) -> bool:
    return 200 <= status < 300
