"""How failed sign-ins slow down guessing: counted per account and per client address, a few
failures are free, then each further one doubles the wait (capped), and a quiet hour forgets
them. A blocked bucket refuses even the right password until the wait is over, so guessing
gains nothing by trying on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

FORGET_AFTER = timedelta(hours=1)
LONGEST_WAIT = timedelta(minutes=15)


@dataclass(frozen=True)
class Policy:
    free_failures: int
    first_wait: timedelta


ACCOUNT = Policy(free_failures=5, first_wait=timedelta(seconds=2))
# One address may be an office behind one NAT: more free failures before it waits.
ADDRESS = Policy(free_failures=20, first_wait=timedelta(seconds=1))


def account_bucket(email_key: str) -> str:
    return f"account:{email_key}"[:300]


def address_bucket(client_address: str) -> str:
    return f"address:{client_address}"


def after_failure(
    policy: Policy, failures: int, last_failure_at: datetime | None, now: datetime
) -> tuple[int, datetime | None]:
    """(failures, blocked_until) once another failure is counted at `now`."""
    if last_failure_at is not None and now - last_failure_at >= FORGET_AFTER:
        failures = 0
    failures += 1
    if failures <= policy.free_failures:
        return failures, None
    wait = policy.first_wait * 2 ** min(failures - policy.free_failures - 1, 20)
    return failures, now + min(wait, LONGEST_WAIT)


def seconds_to_wait(blocked_until: datetime | None, now: datetime) -> int:
    """Whole seconds until a try is heard again (Retry-After), 0 when it is heard now."""
    if blocked_until is None or blocked_until <= now:
        return 0
    return max(1, int((blocked_until - now).total_seconds() + 0.999))
