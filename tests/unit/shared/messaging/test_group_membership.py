"""The commit answers that count towards a stalled group membership, and those that do not."""

from __future__ import annotations

import pytest
from kafka.errors import KafkaConnectionError, RebalanceInProgressError, UnknownMemberIdError

from shared.messaging.group_membership import (
    STALLED_GROUP_SECONDS,
    CommitRefusals,
    StalledGroupMembership,
)


def test_refusals_of_membership_stall_it_after_the_bound_counted_from_the_first():
    refusals = CommitRefusals()
    refusals.answered(RebalanceInProgressError(), now=10.0)
    refusals.answered(UnknownMemberIdError(), now=20.0)
    refusals.check(now=10.0 + STALLED_GROUP_SECONDS - 0.1)
    with pytest.raises(StalledGroupMembership):
        refusals.check(now=10.0 + STALLED_GROUP_SECONDS)


def test_a_confirmed_commit_ends_the_count():
    refusals = CommitRefusals()
    refusals.answered(RebalanceInProgressError(), now=0.0)
    refusals.answered(None, now=1.0)
    refusals.check(now=10 * STALLED_GROUP_SECONDS)


def test_a_broker_out_of_reach_is_no_refusal_of_membership():
    refusals = CommitRefusals()
    refusals.answered(KafkaConnectionError("111 ECONNREFUSED"), now=0.0)
    refusals.check(now=10 * STALLED_GROUP_SECONDS)
