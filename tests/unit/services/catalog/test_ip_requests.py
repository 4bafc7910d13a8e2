"""Requests for IP (services/catalog/ip_requests.py, domain/ip_requests.py), on records in
memory: the rules of the fields, and which vendors the event names."""

from __future__ import annotations

import pytest

from services.catalog import ip_requests
from services.catalog.domain.ip_requests import checked_request
from services.catalog.models import Core
from shared.errors import Invalid
from shared.events import catalog as events
from shared.events.registry import schema_for

NEEDED = "A PCIe 6.0 PHY for 5 nm, 16 lanes, with the controller's PIPE interface."


def ask(work, **changes):
    fields = {
        "organisation_id": "asker",
        "person_id": "person-1",
        "category": "interface_controllers_phys",
        "description": NEEDED,
        "contact_name": "王工程师",
        "contact_email": "wang@asker.example",
        "node": " 5nm ",
        "foundry": "",
    }
    return ip_requests.request_ip(work, **{**fields, **changes})


def core(work, vendor_id, category, status="published"):
    work.records.add(
        Core(
            id=f"core-{vendor_id}-{category}", vendor_id=vendor_id, category=category, status=status
        )
    )


@pytest.mark.parametrize(
    "field, changes",
    [
        ("category", {"category": "teleporters"}),
        ("description", {"description": "  a PHY please   "}),
        ("description", {"description": "x" * 2001}),
        ("node", {"node": "n" * 65}),
    ],
)
def test_a_request_breaking_a_rule_names_its_field(field, changes):
    fields = {"category": "memories", "description": NEEDED, **changes}
    with pytest.raises(Invalid) as refused:
        checked_request(**fields)
    assert refused.value.field == field


def test_blank_node_and_foundry_are_none_and_text_is_trimmed():
    cleaned = checked_request(
        category="memories", description=f"  {NEEDED} ", node=" ", foundry=" TSMC "
    )
    assert cleaned == {
        "category": "memories",
        "description": NEEDED,
        "node": None,
        "foundry": "TSMC",
    }


def test_the_vendors_publishing_in_the_category_are_told_but_not_the_asker(work):
    core(work, "vendor-b", "interface_controllers_phys")
    core(work, "vendor-a", "interface_controllers_phys")
    core(work, "vendor-a", "interface_controllers_phys", status="draft")
    core(work, "vendor-c", "interface_controllers_phys", status="withdrawn")
    core(work, "vendor-d", "memories")
    core(work, "asker", "interface_controllers_phys")
    request = ask(work)
    [(event_type, subject, data)] = work.published
    assert (event_type, subject) == (events.IP_REQUESTED, request.id)
    assert data["vendor_ids"] == ["vendor-a", "vendor-b"]
    assert (data["node"], data["foundry"]) == ("5nm", None)
    assert data["organisation_id"] == "asker" and request.vendors_told == 2
    assert schema_for(events.IP_REQUESTED).validate(data) == {}  # within the event's bounds


def test_a_contact_without_a_name_or_a_valid_address_is_refused(work):
    with pytest.raises(Invalid) as refused:
        ask(work, contact_name=" ")
    assert refused.value.field == "contact_name"
    with pytest.raises(Invalid) as refused:
        ask(work, contact_email="not an address")
    assert refused.value.field == "contact_email"
    assert work.published == []
