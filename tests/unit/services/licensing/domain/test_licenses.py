"""A license's term, claims and lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.licensing.domain.licenses import (
    add_months,
    license_claims,
    license_scope,
    next_state,
    renewed_claims,
    renewed_expiry,
)
from shared.errors import Conflict, Invalid
from tests.unit.services.licensing.fakes import NOW


@pytest.mark.parametrize(
    "start, months, end",
    [
        (datetime(2026, 1, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2024, 1, 31, tzinfo=UTC), 1, datetime(2024, 2, 29, tzinfo=UTC)),
        (datetime(2026, 11, 15, tzinfo=UTC), 3, datetime(2027, 2, 15, tzinfo=UTC)),
        (datetime(2026, 5, 1, tzinfo=UTC), 24, datetime(2028, 5, 1, tzinfo=UTC)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(start, months, end):
    assert add_months(start, months) == end


@pytest.mark.parametrize(
    "state, action, to",
    [
        ("active", "suspended", "suspended"),
        ("suspended", "reinstated", "active"),
        ("active", "revoked", "revoked"),
        ("suspended", "revoked", "revoked"),
    ],
)
def test_the_allowed_transitions(state, action, to):
    assert next_state(state, action) == to


@pytest.mark.parametrize(
    "state, action",
    [
        ("revoked", "reinstated"),
        ("revoked", "suspended"),
        ("expired", "suspended"),
        ("active", "reinstated"),
        ("expired", "revoked"),
    ],
)
def test_the_refused_transitions_are_conflicts_naming_the_state(state, action):
    with pytest.raises(Conflict) as error:
        next_state(state, action)
    assert error.value.extra == {"state": state}


def test_a_renewal_counts_from_the_later_of_now_and_the_expiry():
    assert renewed_expiry("active", NOW + timedelta(days=10), NOW, months=1) == add_months(
        NOW + timedelta(days=10), 1
    )
    assert renewed_expiry("expired", NOW - timedelta(days=10), NOW, months=1) == add_months(NOW, 1)


def test_a_renewal_to_a_date_must_be_later_than_both():
    with pytest.raises(Invalid) as error:
        renewed_expiry("active", NOW + timedelta(days=10), NOW, expires_at=NOW + timedelta(days=5))
    assert error.value.field == "expires_at"


@pytest.mark.parametrize("state, expiry", [("suspended", NOW), ("revoked", NOW), ("active", None)])
def test_suspended_revoked_or_perpetual_licenses_are_not_renewed(state, expiry):
    with pytest.raises(Conflict):
        renewed_expiry(state, expiry, NOW, months=1)


def test_the_scope_names_the_project_only_for_project_licenses():
    assert license_scope("project", "Falcon") == {"kind": "project", "project": "Falcon"}
    assert license_scope("single_use", "Falcon") == {"kind": "project", "project": "Falcon"}
    assert license_scope("evaluation", "Falcon") == {"kind": "evaluation"}


def test_the_claims_state_what_was_granted_and_leave_absent_values_out():
    claims = license_claims(
        license_id="L1",
        issuer="https://lic",
        licensee_id="C",
        vendor_id="V",
        core={"core_id": "K"},
        offer={"kind": "evaluation", "offer_id": "eval"},
        project_name=None,
        territory="DE",
        deliverables=[{"kind": "rtl", "name": "uart.v", "sha256": "ab", "size": 1}],
        issued_at=NOW,
        expires_at=None,
    )
    assert claims["nbf"] == claims["iat"] == int(NOW.timestamp())
    assert claims["revision"] == 1 and claims["territory"] == ["DE"]
    assert claims["deliverables"] == [{"kind": "rtl", "name": "uart.v", "sha256": "ab"}]
    assert not {"exp", "seats", "royalty"} & set(claims)


def test_a_renewal_re_states_the_expiry_at_the_next_revision():
    claims = {"jti": "L1", "revision": 2, "exp": 1, "iat": 1}
    later = NOW + timedelta(days=30)
    assert renewed_claims(claims, later, NOW) == {
        "jti": "L1",
        "revision": 3,
        "exp": int(later.timestamp()),
        "iat": int(NOW.timestamp()),
    }
