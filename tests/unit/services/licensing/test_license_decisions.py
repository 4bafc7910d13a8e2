"""The vendor's and the admin's decisions on a license request, with a fake unit of work,
keyring and clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.licensing import audit, license_decisions, license_requests, licenses
from services.licensing.models import LicenseRequest
from shared.errors import Conflict, NotFound
from shared.events import licensing as events
from tests.unit.services.licensing.fakes import (
    NOW,
    FakeKeyring,
    FakeSession,
    FakeUnitOfWork,
    FixedClock,
    principal,
)
from tests.unit.services.licensing.test_licenses import CORE, VLNV

VENDOR, ADMIN, OTHER_VENDOR = principal("V"), principal("A", "admin"), principal("W")
PRICE = {"amount": "100.00", "currency": "USD"}


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(licenses, "current_terms", lambda _session, _core_id: CORE)
    return FixedClock(monkeypatch, license_requests, license_decisions, licenses, audit)


def a_request(
    state="pending_approval", expires_at=NOW + timedelta(days=1), **offer
) -> LicenseRequest:
    return LicenseRequest(
        id="R1",
        licensee_id="C",
        vendor_id="V",
        core_id="K",
        vlnv=VLNV,
        version_constraint="==1.2.0",
        offer_id="eval",
        offer={"offer_id": "eval", "kind": "project", **offer},
        project_name="Falcon",
        intended_use="a chip",
        end_use_country="DE",
        state=state,
        comments=[],
        screening={"outcome": "review"},
        license_id=None,
        expires_at=expires_at,
    )


def decide(use_case, request, *args):
    uow = FakeUnitOfWork(FakeSession(request))
    return use_case(uow, *args), uow


def test_the_vendor_approving_a_free_offer_issues_its_license():
    request = a_request()
    _, uow = decide(license_decisions.approve, request, FakeKeyring(), VENDOR, "R1", "welcome")
    assert request.state == "issued" and request.license_id is not None
    assert uow.event_types() == [events.LICENSE_APPROVED, events.LICENSE_ISSUED]
    assert request.comments[0] | {"at": None} == {
        "author_id": "V",
        "author_role": "vendor",
        "decision": "approved",
        "comment": "welcome",
        "at": None,
    }


def test_the_vendor_approving_a_priced_offer_leaves_it_approved_for_its_order():
    request = a_request(price=PRICE)
    _, uow = decide(license_decisions.approve, request, FakeKeyring(), VENDOR, "R1", None)
    assert (request.state, request.license_id, request.comments) == ("approved", None, [])
    assert uow.event_types() == [events.LICENSE_APPROVED]


def test_the_vendor_rejecting_tells_both_parties_with_the_comment():
    request = a_request()
    _, uow = decide(license_decisions.reject, request, VENDOR, "R1", "not for this project")
    assert (request.state, request.decided_by, request.updated_at) == ("rejected", "V", NOW)
    assert uow.published[0][:2] == (events.LICENSE_REJECTED, "R1")
    assert uow.published[0][2]["reason"] == "not for this project"


def test_another_vendor_does_not_see_the_request():
    with pytest.raises(NotFound):
        decide(license_decisions.reject, a_request(), OTHER_VENDOR, "R1", "no")


def test_a_lapsed_request_takes_no_decision():
    with pytest.raises(Conflict) as error:
        decide(
            license_decisions.approve, a_request(expires_at=NOW), FakeKeyring(), VENDOR, "R1", None
        )
    assert error.value.extra == {"state": "expired"}


def test_a_request_in_screening_is_not_the_vendors_to_decide():
    with pytest.raises(Conflict):
        decide(license_decisions.reject, a_request("screening"), VENDOR, "R1", "no")


def test_an_admin_allowing_after_review_sends_it_on_to_the_vendor():
    request = a_request("screening", requires_approval=True)
    _, uow = decide(
        license_decisions.decide_review,
        request,
        FakeKeyring(),
        ADMIN,
        "R1",
        "allow",
        "checked the end user",
    )
    assert request.state == "pending_approval"
    assert request.screening["review"] == {
        "outcome": "allow",
        "comment": "checked the end user",
        "by": "A",
    }
    assert request.comments[0]["author_role"] == "admin"
    # Both sides, and the vendor's approvers (notify: by `awaiting`), hear it was cleared.
    ((event_type, subject, data),) = uow.published
    assert (event_type, subject) == (events.LICENSE_EXPORT_CLEARED, "R1")
    assert (data["awaiting"], data["reason"]) == ("approval", "checked the end user")


def test_a_cleared_request_that_needs_no_approval_is_announced_before_its_license():
    request = a_request("screening")
    _, uow = decide(
        license_decisions.decide_review, request, FakeKeyring(), ADMIN, "R1", "allow", "ok"
    )
    assert request.state == "issued"
    assert uow.event_types() == [events.LICENSE_EXPORT_CLEARED, events.LICENSE_ISSUED]
    assert uow.published[0][2]["awaiting"] is None


def test_an_admin_denying_after_review_denies_with_its_reason_code():
    request = a_request("screening")
    _, uow = decide(
        license_decisions.decide_review,
        request,
        FakeKeyring(),
        ADMIN,
        "R1",
        "deny",
        "end user listed",
    )
    assert request.state == "denied"
    assert uow.published[0][0] == events.LICENSE_DENIED
    assert uow.published[0][2]["reason"] == "DENIED_AFTER_REVIEW"


def test_lapsing_moves_the_undecided_requests_to_expired():
    requests = [a_request("screening"), a_request("pending_approval")]
    uow = FakeUnitOfWork(FakeSession(*requests))
    assert license_decisions.expire_pending(uow, NOW) == 2
    assert [r.state for r in requests] == ["expired", "expired"]
    assert all(r.updated_at == NOW for r in requests)
