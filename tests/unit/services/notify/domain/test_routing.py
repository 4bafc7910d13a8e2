"""Who hears which event over which channel (services/notify/domain/routing.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.notify.domain import routing
from services.notify.domain.routing import Audience, Route
from services.notify.domain.wording import SUBJECTS
from shared.events import licensing

NOW = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
ISSUED = "ipmarket.license.issued.v1"
PUBLISHED = "ipmarket.core.published.v1"


def message_id(event_id: str, address: str) -> str:
    return f"<{event_id}/{address}@test>"


def route(org="org-1", *, contacts=(), email=True, webhook=True, endpoints=()) -> Route:
    return Route(org, list(contacts), email, webhook, list(endpoints))


def test_every_notice_type_is_in_exactly_one_group_and_has_an_english_subject():
    assert len(routing.NOTICE_TYPES) == len(set(routing.NOTICE_TYPES))
    assert set(routing.NOTICE_TYPES) == set(SUBJECTS["en"])


def test_event_group_is_looked_up_not_parsed():
    assert routing.event_group(ISSUED) == "license"
    assert routing.event_group("ipmarket.api_key.created.v1") == "api_key"
    assert routing.event_group("ipmarket.unknown.thing.v1") is None


def test_a_deal_event_goes_to_both_parties():
    data = {"vendor_id": "v", "licensee_id": "l"}
    assert routing.audience(ISSUED, data) is Audience.DEAL_PARTIES
    assert routing.named_recipients("ipmarket.order.paid.v1", data) == {"v", "l"}


@pytest.mark.parametrize(
    "event_type",
    [
        "ipmarket.organisation.updated.v1",
        "ipmarket.api_key.revoked.v1",
        "ipmarket.vendor_name.confirmed.v1",
        "ipmarket.webhook_endpoint.disabled.v1",
    ],
)
def test_an_organisations_own_events_go_to_it_alone(event_type):
    assert routing.named_recipients(event_type, {"organisation_id": "o"}) == {"o"}


def test_core_events_must_look_up_their_followers():
    assert routing.audience(PUBLISHED, {"core_id": "c"}) is Audience.CORE_FOLLOWERS
    assert routing.named_recipients(PUBLISHED, {"core_id": "c"}) is None


def test_an_unknown_event_goes_to_nobody():
    assert routing.named_recipients("ipmarket.other.v1", {"organisation_id": "o"}) == set()


def test_holdings_start_and_end_with_the_right_license_events():
    assert (
        ISSUED in routing.HOLDING_STARTS and "ipmarket.license.renewed.v1" in routing.HOLDING_STARTS
    )
    assert "ipmarket.license.revoked.v1" in routing.HOLDING_ENDS
    assert not routing.HOLDING_STARTS & routing.HOLDING_ENDS
    assert "ipmarket.license.suspended.v1" not in routing.HOLDING_STARTS | routing.HOLDING_ENDS


def test_core_line_leaves_out_the_version():
    vlnv = {"vendor": "gg", "library": "serdes", "name": "pcie5", "version": "1.2"}
    assert routing.core_line(vlnv) == "gg:serdes:pcie5"


@pytest.mark.parametrize(
    "notices, wanted",
    [
        (["all"], True),
        (["license"], True),
        ([ISSUED], True),
        (["core"], False),
        (["ipmarket.license.revoked.v1"], False),
        ([], False),
        (None, False),
    ],
)
def test_a_contact_gets_what_it_asked_for(notices, wanted):
    assert routing.contact_wants({"email": "a@x", "notices": notices}, ISSUED) is wanted


def test_an_endpoint_without_event_types_takes_every_type():
    assert routing.endpoint_takes([], ISSUED)
    assert routing.endpoint_takes([ISSUED], ISSUED)
    assert not routing.endpoint_takes([PUBLISHED], ISSUED)


def test_delivery_ids_are_deterministic_per_event_channel_and_target():
    first = routing.delivery_id_for("e1", "webhook", "ep1")
    assert first == routing.delivery_id_for("e1", "webhook", "ep1")
    assert first != routing.delivery_id_for("e2", "webhook", "ep1")
    assert first != routing.delivery_id_for("e1", "email", "ep1")


def test_a_webhook_delivery_per_endpoint_that_takes_the_type():
    planned = routing.plan_deliveries(
        "e1",
        ISSUED,
        [route(endpoints=[("ep1", []), ("ep2", [PUBLISHED]), ("ep3", [ISSUED])])],
        NOW,
        message_id,
    )
    assert [(d["channel"], d["endpoint_id"]) for d in planned] == [
        ("webhook", "ep1"),
        ("webhook", "ep3"),
    ]
    assert all(d["message_id"] == "e1" and d["state"] == "pending" for d in planned)
    assert all(d["next_attempt_at"] == NOW and d["attempts"] == 0 for d in planned)


def test_one_email_per_address_however_often_listed_and_only_to_who_wants_it():
    contacts = [
        {"email": "Ops@X.example", "name": "Ops", "notices": ["all"]},
        {"email": "ops@x.example", "name": "Again", "notices": ["license"]},
        {"email": "cfo@x.example", "notices": ["order"]},
    ]
    planned = routing.plan_deliveries("e1", ISSUED, [route(contacts=contacts)], NOW, message_id)
    assert [(d["channel"], d["address"], d["recipient_name"]) for d in planned] == [
        ("email", "Ops@X.example", "Ops")
    ]
    assert planned[0]["message_id"] == "<e1/ops@x.example@test>"


def test_channels_switched_off_by_preference_get_nothing():
    contacts = [{"email": "a@x.example", "notices": ["all"]}]
    assert (
        routing.plan_deliveries(
            "e1",
            ISSUED,
            [route(contacts=contacts, email=False, endpoints=[("ep", [])], webhook=False)],
            NOW,
            message_id,
        )
        == []
    )


def test_each_organisations_route_is_planned_with_its_own_id():
    planned = routing.plan_deliveries(
        "e1",
        ISSUED,
        [route("v", endpoints=[("ep-v", [])]), route("l", endpoints=[("ep-l", [])])],
        NOW,
        message_id,
    )
    assert {(d["organisation_id"], d["endpoint_id"]) for d in planned} == {
        ("v", "ep-v"),
        ("l", "ep-l"),
    }
    assert len({d["id"] for d in planned}) == 2


def test_delivery_states_and_channels_are_the_documented_values():
    assert [s.value for s in routing.DeliveryState] == ["pending", "succeeded", "failed"]
    assert [c.value for c in routing.Channel] == ["webhook", "email"]


# --- people told by role -----------------------------------------------------------------------

DEAL = {"vendor_id": "v", "licensee_id": "l", "core_id": "c"}


def test_a_request_awaiting_approval_is_for_the_vendors_owners_and_approvers():
    assert routing.roles_to_tell(licensing.LICENSE_REQUESTED, {**DEAL, "awaiting": "approval"}) == [
        routing.RoleAudience("v", frozenset({"owner", "approver"}))
    ]


def test_a_request_waiting_for_export_review_is_for_the_platforms_export_reviewers():
    assert routing.roles_to_tell(
        licensing.LICENSE_REQUESTED, {**DEAL, "awaiting": "export_review"}
    ) == [routing.RoleAudience(None, frozenset({"export_reviewer"}))]


def test_a_request_cleared_by_export_review_is_for_the_vendor_s_approvers_if_it_waits():
    cleared = licensing.LICENSE_EXPORT_CLEARED
    assert routing.roles_to_tell(cleared, {**DEAL, "awaiting": "approval"}) == [
        routing.RoleAudience(DEAL["vendor_id"], routing.DECIDERS)
    ]
    assert routing.roles_to_tell(cleared, {**DEAL, "awaiting": None}) == []
    assert routing.named_recipients(cleared, DEAL) == {DEAL["vendor_id"], DEAL["licensee_id"]}


def test_invoices_are_for_the_licensees_finance_people():
    for event_type in (licensing.INVOICE_ISSUED, licensing.INVOICE_OVERDUE):
        assert routing.roles_to_tell(event_type, DEAL) == [
            routing.RoleAudience("l", frozenset({"finance"}))
        ]


@pytest.mark.parametrize(
    "event_type, data",
    [
        (licensing.LICENSE_REQUESTED, {**DEAL, "awaiting": None}),
        (licensing.LICENSE_REQUESTED, DEAL),  # published before requests said what they await
        (licensing.LICENSE_ISSUED, DEAL),
        (licensing.ORDER_PAID, DEAL),
    ],
)
def test_other_events_are_for_the_contacts_alone(event_type, data):
    assert routing.roles_to_tell(event_type, data) == []


def person(address="li.wei@v.example", org="v", locale="zh-Hans", zone="Asia/Shanghai"):
    return routing.PersonRoute(org, address, "李伟", locale, zone)


def test_a_person_told_by_role_gets_one_email_in_their_own_language_and_zone():
    contacts = [{"email": "sales@v.example", "name": "Sales", "notices": ["all"]}]
    planned = routing.plan_deliveries(
        "e1", ISSUED, [route("v", contacts=contacts)], NOW, message_id, [person(), person()]
    )
    assert [(d["address"], d["locale"], d["timezone"]) for d in planned] == [
        ("sales@v.example", None, None),
        ("li.wei@v.example", "zh-Hans", "Asia/Shanghai"),
    ]
    assert planned[1]["recipient_name"] == "李伟" and planned[1]["organisation_id"] == "v"


def test_a_person_who_is_a_contact_or_whose_organisation_wants_no_email_gets_none():
    contacts = [{"email": "Li.Wei@v.example", "notices": ["all"]}]
    planned = routing.plan_deliveries(
        "e1", ISSUED, [route("v", contacts=contacts)], NOW, message_id, [person()]
    )
    assert [d["address"] for d in planned] == ["Li.Wei@v.example"]
    silent = routing.plan_deliveries(
        "e1", ISSUED, [route("v", email=False)], NOW, message_id, [person()]
    )
    assert silent == []
    # The platform's people (no route of their own in a deal) are written to.
    planned = routing.plan_deliveries(
        "e1", ISSUED, [route("v", email=False)], NOW, message_id, [person(org="platform")]
    )
    assert [d["organisation_id"] for d in planned] == ["platform"]
