"""Use cases of VLNV vendor-name claims, on records in memory."""

from __future__ import annotations

import pytest

from services.catalog import vendor_names
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.events import catalog as events
from tests.unit.services.catalog.conftest import register
from tests.unit.services.catalog.fakes import NOW, OPERATOR, clock, principal


@pytest.fixture
def org(work):
    registered = register(work, "Pengcheng IP")
    work.published.clear()
    return registered


def test_a_claim_is_pending_and_normalised(work, org):
    claim = vendor_names.claim_name(work, principal(org.id, "vendor"), org.id, " Pengcheng.CN ")
    assert (claim.name, claim.status, claim.organisation_id) == ("pengcheng.cn", "pending", org.id)
    assert work.published == []  # the organisation is told of decisions, not of its own claim


def test_only_a_vendor_claims_a_name(work):
    licensee = register(work, "Lakeside", roles=("licensee",))
    with pytest.raises(Forbidden):
        vendor_names.claim_name(work, principal(licensee.id, "licensee"), licensee.id, "a.cn")


def test_a_stranger_cannot_claim_for_another_organisation(work, org):
    with pytest.raises(NotFound):
        vendor_names.claim_name(work, principal("stranger", "vendor"), org.id, "a.cn")


def test_a_name_that_is_no_vlnv_vendor_is_refused(work, org):
    with pytest.raises(Invalid):
        vendor_names.claim_name(work, OPERATOR, org.id, "not a name")


def test_claiming_twice_is_a_conflict(work, org):
    vendor_names.claim_name(work, OPERATOR, org.id, "a.cn")
    with pytest.raises(Conflict):
        vendor_names.claim_name(work, OPERATOR, org.id, "A.cn")


def test_a_declined_claim_may_be_made_again(work, org):
    claim = vendor_names.claim_name(work, OPERATOR, org.id, "a.cn")
    vendor_names.decide(work, OPERATOR, claim.id, "declined", "prove you own it", clock=clock)
    again = vendor_names.claim_name(work, OPERATOR, org.id, "a.cn")
    assert again is claim and (again.status, again.reason, again.decided_at) == (
        "pending",
        None,
        None,
    )


def test_confirming_stamps_the_decision_and_tells_the_organisation(work, org):
    claim = vendor_names.claim_name(work, OPERATOR, org.id, "a.cn")
    vendor_names.decide(work, OPERATOR, claim.id, "confirmed", clock=clock)
    assert (claim.status, claim.decided_at, claim.decided_by) == (
        "confirmed",
        NOW,
        OPERATOR.organisation_id,
    )
    ((event_type, subject, data),) = work.published
    assert (event_type, subject) == (events.VENDOR_NAME_CONFIRMED, org.id)
    assert data["decided_at"] == NOW.isoformat()


def test_declining_publishes_its_own_event(work, org):
    claim = vendor_names.claim_name(work, OPERATOR, org.id, "a.cn")
    vendor_names.decide(work, OPERATOR, claim.id, "declined", "no", clock=clock)
    assert work.event_types == [events.VENDOR_NAME_DECLINED]


def test_only_the_operator_decides(work, org):
    claim = vendor_names.claim_name(work, OPERATOR, org.id, "a.cn")
    with pytest.raises(Forbidden):
        vendor_names.decide(work, principal(org.id, "vendor"), claim.id, "confirmed")


def test_a_decided_claim_is_not_decided_again(work, org):
    claim = vendor_names.claim_name(work, OPERATOR, org.id, "a.cn")
    vendor_names.decide(work, OPERATOR, claim.id, "confirmed")
    with pytest.raises(Conflict) as raised:
        vendor_names.decide(work, OPERATOR, claim.id, "declined")
    assert raised.value.field == "status"


def test_a_name_is_confirmed_for_one_organisation_at_most(work, org):
    other = register(work, "Other IP")
    first = vendor_names.claim_name(work, OPERATOR, org.id, "a.cn")
    second = vendor_names.claim_name(work, OPERATOR, other.id, "a.cn")
    vendor_names.decide(work, OPERATOR, first.id, "confirmed")
    with pytest.raises(Conflict):
        vendor_names.decide(work, OPERATOR, second.id, "confirmed")
    with pytest.raises(Conflict):
        vendor_names.claim_name(work, OPERATOR, register(work, "Third").id, "a.cn")


def test_a_concurrent_confirmation_the_records_refuse_is_a_conflict(work, org):
    other = register(work, "Other IP")
    first = vendor_names.claim_name(work, OPERATOR, org.id, "a.cn")
    second = vendor_names.claim_name(work, OPERATOR, other.id, "a.cn")
    first.status = "confirmed"  # committed by another request after this one read the claims
    work.records.confirmed_owner = lambda name: None  # …which it did before that commit
    with pytest.raises(Conflict):
        vendor_names.decide(work, OPERATOR, second.id, "confirmed")


def test_only_the_confirmed_organisation_publishes_under_a_name(work, org):
    claim = vendor_names.claim_name(work, OPERATOR, org.id, "a.cn")
    with pytest.raises(Forbidden):
        vendor_names.check_publisher(work.records, org.id, "a.cn")
    vendor_names.decide(work, OPERATOR, claim.id, "confirmed")
    vendor_names.check_publisher(work.records, org.id, "A.CN")
