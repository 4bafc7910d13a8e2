"""Watching a consumer's membership of its group through its offset commits.

kafka-python 3.0.12 once left a member in a rebalance that never ended: for minutes every commit
was refused as "undergoing a rebalance" and nothing was fetched, while the broker had expelled
it long before. A new member joins at once, so a consumer whose commits are all refused for its
membership for STALLED_GROUP_SECONDS is made anew. A rebalance that is merely slow ends well
within it (session timeout 8 s); a broker out of reach is not a refusal of membership.
"""

from __future__ import annotations

from kafka.errors import (
    CommitFailedError,
    IllegalGenerationError,
    RebalanceInProgressError,
    UnknownMemberIdError,
)

STALLED_GROUP_SECONDS = 30.0
MEMBERSHIP_REFUSALS = (
    RebalanceInProgressError,
    CommitFailedError,
    IllegalGenerationError,
    UnknownMemberIdError,
)


class StalledGroupMembership(RuntimeError):
    """Every offset commit refused for the group membership for STALLED_GROUP_SECONDS."""


class BrokerOutOfReach(RuntimeError):
    """A poll failed on the connection; the consumer reconnects by itself."""


class CommitRefusals:
    """Since when every commit answer has been a refusal of membership (None: not refused)."""

    def __init__(self):
        self.since: float | None = None

    def answered(self, answer, now: float) -> None:
        if not isinstance(answer, Exception):
            self.since = None
        elif isinstance(answer, MEMBERSHIP_REFUSALS) and self.since is None:
            self.since = now

    def check(self, now: float) -> None:
        if self.since is not None and now - self.since >= STALLED_GROUP_SECONDS:
            raise StalledGroupMembership(
                f"every offset commit refused for {STALLED_GROUP_SECONDS:.0f} s; joining anew"
            )
