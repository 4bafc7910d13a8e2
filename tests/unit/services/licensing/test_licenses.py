"""The license use cases with a fake unit of work, keyring and clock: issuance signs with the
kid it is handed, publishes the issued event and writes the license at commit; the lifecycle
moves between states and refuses what it must."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.licensing import audit, licenses
from services.licensing.domain.cores import CoreTerms
from services.licensing.domain.verification import verify_license
from services.licensing.models import License, LicenseRequest
from shared.errors import Conflict, NotFound
from shared.events import licensing as events
from shared.jws import public_keys_from_jwks
from tests.unit.services.licensing.fakes import (
    NOW,
    FakeKeyring,
    FakeSession,
    FakeUnitOfWork,
    FixedClock,
    principal,
)

VLNV = {"vendor": "acme.com", "library": "ip", "name": "uart", "version": "1.2.0"}
VENDOR, LICENSEE = principal("V"), principal("C")
CORE = CoreTerms(
    core_id="K",
    vendor_id="V",
    vlnv=VLNV,
    status="published",
    eccn="EAR99",
    territory_restrictions=[],
    offers=[],
    version=1,
    deliverables=[{"kind": "rtl", "name": "uart.v", "sha256": "00" * 32}],
)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    return FixedClock(monkeypatch, licenses, audit)


def a_request(**offer) -> LicenseRequest:
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
        state="screening",
        comments=[],
        license_id=None,
    )


def a_license(state="active", expires_at=NOW + timedelta(days=30)) -> License:
    return License(
        id="L1",
        request_id="R1",
        licensee_id="C",
        vendor_id="V",
        core_id="K",
        state=state,
        claims={
            "jti": "L1",
            "revision": 1,
            "offer_kind": "project",
            "core": {"vlnv": VLNV},
            "scope": {"kind": "project"},
        },
        token="t",
        kid="k",
        not_before=NOW,
        expires_at=expires_at,
    )


def test_issuing_signs_with_the_kid_handed_in_and_publishes_the_issued_event():
    keyring, uow = FakeKeyring(), FakeUnitOfWork(FakeSession())
    request = a_request(term_months=12)
    license = licenses.issue_license(
        uow,
        keyring,
        request,
        None,
        audit.SYSTEM,
        core=CORE,
        signing_kid="kid-read-with-the-request",
    )
    assert keyring.asked_for == ["kid-read-with-the-request"]
    assert (request.state, request.license_id) == ("issued", license.id)
    assert uow.event_types() == [events.LICENSE_ISSUED]
    assert license.expires_at == NOW.replace(year=2027)
    verification = verify_license(license.token, public_keys_from_jwks(keyring.jwks), {}, now=NOW)
    assert verification.valid and verification.claims["deliverables"][0]["name"] == "uart.v"


def test_issuing_writes_the_license_at_commit_in_its_final_state_not_through_the_orm():
    session = FakeSession()
    license = licenses.issue_license(
        FakeUnitOfWork(session), FakeKeyring(), a_request(), None, audit.SYSTEM, core=CORE
    )
    assert session.added == []
    written = [(name, row) for name, row in session.at_commit if name == "license"]
    assert [(name, row["id"], row["token"], row["state"]) for name, row in written] == [
        ("license", license.id, license.token, license.state)
    ]


def test_a_free_perpetual_offer_gives_a_license_without_expiry():
    license = licenses.issue_license(
        FakeUnitOfWork(FakeSession()), FakeKeyring(), a_request(), None, audit.SYSTEM, core=CORE
    )
    assert license.expires_at is None and "exp" not in license.claims


@pytest.mark.parametrize(
    "use_case, start, end, event_type",
    [
        (licenses.suspend, "active", "suspended", events.LICENSE_SUSPENDED),
        (licenses.reinstate, "suspended", "active", events.LICENSE_REINSTATED),
        (licenses.revoke, "suspended", "revoked", events.LICENSE_REVOKED),
    ],
)
def test_the_vendor_moves_a_license_and_both_parties_are_told(use_case, start, end, event_type):
    license = a_license(start)
    uow = FakeUnitOfWork(FakeSession(license))
    assert use_case(uow, VENDOR, "L1", "a reason") is license
    assert (license.state, license.state_reason, license.updated_at) == (end, "a reason", NOW)
    assert uow.event_types() == [event_type]
    assert uow.published[0][2]["reason"] == "a reason"


def test_a_revoked_license_is_not_reinstated_and_nothing_is_published():
    uow = FakeUnitOfWork(FakeSession(a_license("revoked")))
    with pytest.raises(Conflict):
        licenses.reinstate(uow, VENDOR, "L1", None)
    assert uow.published == []


def test_the_licensee_cannot_act_as_the_vendor():
    with pytest.raises(NotFound):
        licenses.suspend(FakeUnitOfWork(FakeSession(a_license())), LICENSEE, "L1", "no")


def test_a_renewal_re_signs_the_token_at_the_next_revision(clock):
    keyring = FakeKeyring()
    license = a_license()
    uow = FakeUnitOfWork(FakeSession(license))
    licenses.renew(uow, keyring, VENDOR, "L1", months=1)
    assert license.claims["revision"] == 2 and license.kid == keyring.kid
    assert license.expires_at == (NOW + timedelta(days=30)).replace(month=5, day=30)
    assert keyring.asked_for == [None]  # no kid read before: the keyring reads it
    assert uow.event_types() == [events.LICENSE_RENEWED]


def test_the_license_file_is_armoured_and_names_the_core():
    license = a_license()
    license.token = "a.b.c"
    license.claims["core"]["version_constraint"] = "==1.2.0"
    text = licenses.license_file(license)
    assert "Core: acme.com:ip:uart ==1.2.0" in text and "a.b.c" in text
