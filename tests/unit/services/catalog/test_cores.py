"""Use cases of IP cores, on records in memory."""

from __future__ import annotations

import pytest

from services.catalog import cores
from services.catalog.cores import versions_in_records
from shared.errors import Conflict, Forbidden, Invalid, NotFound, PreconditionRequired
from shared.events import catalog as events
from tests.unit.services.catalog.conftest import register
from tests.unit.services.catalog.fakes import NOW, OPERATOR, Ids, clock, principal

VLNV = {"vendor": "example.com", "library": "ip", "name": "ddr5_phy", "version": "1.0"}
COMPLETE = {
    "category": "memory_controllers_phys",
    "eccn": "3E001",
    "deliverable_kinds": ["soft_rtl"],
    "offers": [{"kind": "evaluation", "requires_approval": False}],
}


def draft(work, vendor, version="1.0", **fields):
    return cores.create_draft(
        work,
        vendor,
        vlnv={**VLNV, "version": version},
        title_en="DDR5 PHY",
        new_offer_id=Ids("offer"),
        **fields,
    )


def published(work, vendor, version="1.0"):
    core = draft(work, vendor, version, **COMPLETE)
    cores.change_status(work, vendor, core.id, "publish", clock=clock)
    work.published.clear()
    return core


def test_a_draft_is_private_so_creating_it_publishes_nothing(work, vendor):
    core = draft(work, vendor)
    assert core.status == "draft" and core.vendor_id == vendor.organisation_id
    assert work.published == []
    assert "status:draft" in core.facet_values  # indexed for search as it is created


def test_a_draft_is_refused_to_an_organisation_that_is_no_vendor(work):
    licensee = register(work, "Lakeside", roles=("licensee",))
    with pytest.raises(Forbidden):
        draft(work, principal(licensee.id, "licensee"))


def test_a_vendor_name_not_confirmed_for_the_vendor_is_refused(work, vendor):
    with pytest.raises(Forbidden) as raised:
        cores.create_draft(work, vendor, vlnv={**VLNV, "vendor": "arm.com"}, title_en="x")
    assert raised.value.field == "vlnv.vendor"


def test_one_version_spelt_twice_is_a_conflict_naming_the_vendors_own_core(work, vendor):
    first = draft(work, vendor, "1.2")
    with pytest.raises(Conflict) as raised:
        draft(work, vendor, "1.2.0")
    assert raised.value.field == "vlnv" and first.id in str(raised.value.__dict__)


def test_a_field_a_core_does_not_have_is_named(work, vendor):
    with pytest.raises(Invalid) as raised:
        draft(work, vendor, colour="red")
    assert raised.value.field == "colour"


def test_new_offers_are_named_by_the_injected_ids(work, vendor):
    core = draft(work, vendor, **COMPLETE)
    assert [offer["offer_id"] for offer in core.offers] == ["offer-1"]


def test_publishing_stamps_the_time_and_publishes_the_whole_state(work, vendor):
    core = draft(work, vendor, **COMPLETE)
    cores.change_status(work, vendor, core.id, "publish", clock=clock)
    assert (core.status, core.published_at) == ("published", NOW)
    ((event_type, subject, state),) = work.published
    assert (event_type, subject) == (events.CORE_PUBLISHED, core.id)
    assert state["vlnv"] == VLNV and state["offers"][0]["offer_id"] == "offer-1"


def test_an_incomplete_draft_cannot_be_published(work, vendor):
    core = draft(work, vendor)
    with pytest.raises(Invalid) as raised:
        cores.change_status(work, vendor, core.id, "publish", clock=clock)
    assert raised.value.field == "category"
    assert work.published == []


def test_another_vendor_cannot_change_a_published_core_nor_see_a_draft(work, vendor):
    other = principal(register(work, "Other").id, "vendor")
    seen = published(work, vendor, "1.0")
    hidden = draft(work, vendor, "2.0")
    with pytest.raises(Forbidden):
        cores.change_status(work, other, seen.id, "deprecate")
    with pytest.raises(NotFound):
        cores.change_status(work, other, hidden.id, "publish")


def test_deprecating_and_withdrawing_each_publish_their_event(work, vendor):
    core = published(work, vendor)
    cores.change_status(work, vendor, core.id, "deprecate")
    cores.change_status(work, OPERATOR, core.id, "withdraw")
    assert work.event_types == [events.CORE_DEPRECATED, events.CORE_WITHDRAWN]


def test_changing_a_draft_publishes_nothing(work, vendor):
    core = draft(work, vendor)
    cores.update_core(work, vendor, core.id, '"1"', {"title_en": "DDR5 PHY v2"})
    assert core.title_en == "DDR5 PHY v2" and work.published == []


def test_changing_a_published_core_publishes_its_new_state(work, vendor):
    core = published(work, vendor)
    cores.update_core(work, vendor, core.id, "*", {"description_en": "Now with docs."})
    assert work.event_types == [events.CORE_UPDATED]
    assert work.published[0][2]["core_id"] == core.id


def test_a_published_title_is_frozen(work, vendor):
    core = published(work, vendor)
    with pytest.raises(Conflict) as raised:
        cores.update_core(work, vendor, core.id, "*", {"title_en": "Renamed"})
    assert raised.value.field == "title_en" and work.published == []


def test_a_change_needs_if_match_and_some_change(work, vendor):
    core = draft(work, vendor)
    with pytest.raises(PreconditionRequired):
        cores.update_core(work, vendor, core.id, None, {"title_en": "x"})
    with pytest.raises(Invalid) as raised:
        cores.update_core(work, vendor, core.id, "*", {})
    assert raised.value.field == "body"


def test_a_withdrawn_core_no_longer_changes(work, vendor):
    core = published(work, vendor)
    cores.change_status(work, vendor, core.id, "withdraw")
    with pytest.raises(Conflict):
        cores.update_core(work, vendor, core.id, "*", {"description_en": "late"})


def test_versions_are_listed_in_version_order_and_drafts_only_to_their_vendor(work, vendor):
    for version in ("1.10", "1.9"):
        published(work, vendor, version)
    newest = draft(work, vendor, "2.0")
    listed = versions_in_records(work.records, vendor, newest.id)
    assert [core.vlnv_version for core in listed] == ["1.9", "1.10", "2.0"]
    anyone = versions_in_records(work.records, None, listed[0].id)
    assert [core.vlnv_version for core in anyone] == ["1.9", "1.10"]
