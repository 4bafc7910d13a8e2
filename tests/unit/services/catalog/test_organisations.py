"""Use cases of the directory: organisations and API keys, on records in memory."""

from __future__ import annotations

import pytest

from services.catalog import organisations
from shared.errors import Forbidden, Invalid, NotFound
from shared.events import catalog as events
from tests.unit.services.catalog.conftest import register
from tests.unit.services.catalog.fakes import NOW, OPERATOR, clock, principal
from tests.unit.services.catalog.test_cores import draft


def test_registering_publishes_the_organisation_with_its_region(work):
    org = register(work, country="hk", roles=("vendor", "licensee", "vendor"))
    ((event_type, subject, state),) = work.published
    assert (event_type, subject) == (events.ORGANISATION_REGISTERED, org.id)
    assert (state["country"], state["region"], state["roles"]) == (
        "HK",
        "hong_kong",
        ["licensee", "vendor"],
    )


def test_a_profile_with_an_unknown_time_zone_is_refused_and_nothing_is_recorded(work):
    with pytest.raises(Invalid) as raised:
        organisations.register_organisation(
            work, legal_name_en="x", country="CN", roles=["vendor"], timezone="Mars/Olympus"
        )
    assert raised.value.field == "timezone"
    assert work.records.rows == [] and work.published == []


def test_only_the_operator_changes_roles(work):
    org = register(work)
    with pytest.raises(Forbidden) as raised:
        organisations.update_organisation(
            work, principal(org.id, "vendor"), org.id, "*", {"roles": ["admin"]}
        )
    assert raised.value.field == "roles"


def test_an_update_that_changes_nothing_is_refused(work):
    org = register(work)
    with pytest.raises(Invalid):
        organisations.update_organisation(work, OPERATOR, org.id, "*", {})


def test_a_stranger_gets_404_not_403(work):
    org = register(work)
    with pytest.raises(NotFound):
        organisations.update_organisation(
            work, principal("stranger"), org.id, "*", {"locale": "en"}
        )


def test_moving_country_moves_the_region_of_the_organisation_and_of_its_cores(work, vendor):
    core = draft(work, vendor)
    work.published.clear()
    organisations.update_organisation(work, vendor, vendor.organisation_id, "*", {"country": "tw"})
    assert core.vendor_region == "taiwan" and "region:taiwan" in core.facet_values
    assert work.event_types == [events.ORGANISATION_UPDATED]
    assert work.published[0][2]["region"] == "taiwan"


def test_a_new_key_is_shown_once_and_only_its_hash_is_published(work):
    org = register(work)
    work.published.clear()
    api_key, key = organisations.create_api_key(work, org.id, "CI")
    ((event_type, _, data),) = work.published
    assert event_type == events.API_KEY_CREATED
    assert data["key_hash"] == api_key.key_hash and key not in str(data)


def test_a_key_needs_a_name_and_an_organisation(work):
    org = register(work)
    with pytest.raises(Invalid):
        organisations.create_api_key(work, org.id, "  ")
    with pytest.raises(NotFound):
        organisations.create_api_key(work, "nobody", "CI")


def test_revoking_stamps_the_time_once_and_publishes_once(work):
    org = register(work)
    api_key, _ = organisations.create_api_key(work, org.id, "CI")
    work.published.clear()
    organisations.revoke_api_key(work, org.id, api_key.id, clock=clock)
    organisations.revoke_api_key(work, org.id, api_key.id, clock=clock)
    assert api_key.revoked_at == NOW
    assert work.event_types == [events.API_KEY_REVOKED]


def test_a_key_of_another_organisation_is_not_found(work):
    org, other = register(work), register(work, "Other")
    api_key, _ = organisations.create_api_key(work, org.id, "CI")
    with pytest.raises(NotFound):
        organisations.revoke_api_key(work, other.id, api_key.id)
