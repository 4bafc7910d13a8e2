"""Notices by role: people projected from the catalog's people events hear of what their role
decides (a request awaiting approval, an invoice, an export review), each in their own language
and time zone, besides the organisations' contacts (real PostgreSQL, SMTP by aiosmtpd)."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.notify.models import Base, Delivery
from shared.events import new_event
from tests.support import wait_until

VLNV = {"vendor": "xinyuan", "library": "serdes", "name": "pcie5_phy", "version": "2.1"}
JOINED_AT = "2026-11-30T08:00:00+00:00"


def member_joined(org_id, email, name_en, roles, *, name_zh=None, **optional):
    person_id = str(uuid.uuid4())
    event = new_event(
        "ipmarket.member.joined.v1",
        "/ipmarket/catalog",
        org_id,
        {
            "person_id": person_id,
            "organisation_id": org_id,
            "name_en": name_en,
            "name_zh": name_zh,
            "email": email,
            "roles": roles,
            "joined_at": JOINED_AT,
            **optional,
        },
    )
    return person_id, event


def license_requested(vendor, licensee, awaiting):
    request_id = str(uuid.uuid4())
    return new_event(
        "ipmarket.license.requested.v1",
        "/ipmarket/licensing",
        request_id,
        {
            "vendor_id": vendor,
            "licensee_id": licensee,
            "core_id": "core-1",
            "vlnv": VLNV,
            "request_id": request_id,
            "project_name": "Tianhe SoC",
            "awaiting": awaiting,
        },
    )


def invoice_issued(vendor, licensee):
    order_id = str(uuid.uuid4())
    return new_event(
        "ipmarket.invoice.issued.v1",
        "/ipmarket/licensing",
        order_id,
        {
            "vendor_id": vendor,
            "licensee_id": licensee,
            "core_id": "core-1",
            "vlnv": VLNV,
            "offer_id": "std",
            "order_id": order_id,
            "invoice_number": "INV-000042",
            "amount": "12500.00",
            "currency": "CNY",
            "due_at": "2026-12-31T16:00:00+00:00",
        },
    )


def emailed(context, event) -> dict[str, tuple]:
    """address → (organisation, locale, time zone) of the event's e-mail deliveries."""
    with context.session_factory() as session:
        rows = session.execute(
            sa.select(
                Delivery.address, Delivery.organisation_id, Delivery.locale, Delivery.timezone
            ).where(Delivery.notice_id == event.id, Delivery.channel == "email")
        ).all()
    return {row.address: (row.organisation_id, row.locale, row.timezone) for row in rows}


@pytest.fixture
def deal(organisation, handle):
    """A vendor with people in several roles, a licensee with a buyer and a finance officer."""
    vendor, _ = organisation(
        "Shanghai Xinyuan Microelectronics",
        roles=["vendor"],
        locale="en",
        timezone="Asia/Shanghai",
        contacts=[{"name": "Sales", "email": "sales@xinyuan.example", "notices": ["all"]}],
    )
    licensee, _ = organisation(
        "Golden Gate IP Inc.",
        country="US",
        timezone="America/Los_Angeles",
        contacts=[{"name": "Ops", "email": "ops@goldengate.example", "notices": ["license"]}],
    )
    people = {}
    for key, org, email, name, roles, optional in [
        ("approver", vendor, "li.wei@xinyuan.example", "Li Wei", ["approver"],
         {"name_zh": "李伟", "locale": "zh-Hans"}),
        ("owner", vendor, "chen@xinyuan.example", "Chen Jing", ["owner"],
         {"locale": "zh-Hant", "timezone": "Asia/Taipei"}),
        ("publisher", vendor, "pub@xinyuan.example", "Pub Lee", ["publisher"], {}),
        ("buyer", licensee, "buyer@goldengate.example", "Bo Yer", ["buyer"], {}),
        ("finance", licensee, "fin@goldengate.example", "Fay Nance", ["finance"],
         {"timezone": "America/New_York"}),
    ]:  # fmt: skip
        people[key], event = member_joined(org, email, name, roles, **optional)
        handle(event)
    return vendor, licensee, people


def test_a_request_awaiting_approval_reaches_the_vendors_approvers_and_owners(
    notify_context, handle, deal
):
    vendor, licensee, _ = deal
    event = handle(license_requested(vendor, licensee, "approval"))
    assert emailed(notify_context, event) == {
        "sales@xinyuan.example": (vendor, None, None),  # the contact, as before
        "ops@goldengate.example": (licensee, None, None),
        "li.wei@xinyuan.example": (vendor, "zh-Hans", "Asia/Shanghai"),  # the vendor's zone
        "chen@xinyuan.example": (vendor, "zh-Hant", "Asia/Taipei"),
    }
    # Screened straight through, or denied: no decision waits, nobody is told by role.
    assert set(emailed(notify_context, handle(license_requested(vendor, licensee, None)))) == {
        "sales@xinyuan.example",
        "ops@goldengate.example",
    }


def test_an_invoice_reaches_the_licensees_finance_people_only(notify_context, handle, deal):
    vendor, licensee, _ = deal
    event = handle(invoice_issued(vendor, licensee))
    assert emailed(notify_context, event) == {
        "sales@xinyuan.example": (vendor, None, None),
        "fin@goldengate.example": (licensee, "en", "America/New_York"),
    }


def test_roles_changed_removed_and_disabled_people_are_told_no_more(notify_context, handle, deal):
    vendor, licensee, people = deal
    handle(
        new_event(
            "ipmarket.member.roles_changed.v1",
            "/ipmarket/catalog",
            vendor,
            {
                "person_id": people["publisher"],
                "organisation_id": vendor,
                "roles": ["publisher", "approver"],
                "changed_at": JOINED_AT,
            },
        )
    )
    handle(
        new_event(
            "ipmarket.member.removed.v1",
            "/ipmarket/catalog",
            vendor,
            {"person_id": people["owner"], "organisation_id": vendor, "removed_at": JOINED_AT},
        )
    )
    handle(
        new_event(
            "ipmarket.person.disabled.v1",
            "/ipmarket/catalog",
            people["approver"],
            {"person_id": people["approver"], "disabled_at": JOINED_AT},
        )
    )
    event = handle(license_requested(vendor, licensee, "approval"))
    assert set(emailed(notify_context, event)) == {
        "sales@xinyuan.example",
        "ops@goldengate.example",
        "pub@xinyuan.example",  # an approver now
    }


def test_a_request_waiting_for_export_review_reaches_the_export_reviewers(
    notify_context, organisation, handle, deal
):
    vendor, licensee, _ = deal
    platform, _ = organisation(
        "IP Platform",
        country="HK",
        roles=["admin"],
        locale="zh-Hant",
        timezone="Asia/Hong_Kong",
        contacts=[],
    )
    _, reviewer = member_joined(
        platform, "review@platform.example", "Rita View", [], platform_roles=["export_reviewer"]
    )
    _, operator = member_joined(
        platform, "op@platform.example", "Otto Perator", ["owner"], platform_roles=["operator"]
    )
    handle(reviewer)
    handle(operator)
    event = handle(license_requested(vendor, licensee, "export_review"))
    assert emailed(notify_context, event) == {
        "sales@xinyuan.example": (vendor, None, None),
        "ops@goldengate.example": (licensee, None, None),
        "review@platform.example": (platform, "zh-Hant", "Asia/Hong_Kong"),
    }


def test_a_person_who_is_also_a_contact_gets_one_message(notify_context, organisation, handle):
    vendor, _ = organisation(
        "Solo Vendor",
        roles=["vendor"],
        contacts=[{"name": "Solo", "email": "Solo@vendor.example", "notices": ["all"]}],
    )
    licensee, _ = organisation("Licensee", contacts=[])
    _, joined = member_joined(vendor, "solo@vendor.example", "Solo", ["owner"], locale="zh-Hans")
    handle(joined)
    event = handle(license_requested(vendor, licensee, "approval"))
    assert emailed(notify_context, event) == {"Solo@vendor.example": (vendor, None, None)}


def test_the_approver_reads_it_in_their_language_and_time_zone(
    platform_env, smtp_server, handle, deal, delivery_worker
):
    vendor, licensee, _ = deal
    handle(license_requested(vendor, licensee, "approval"))
    wait_until(
        lambda: smtp_server.to("li.wei@xinyuan.example") and smtp_server.to("chen@xinyuan.example"),
        timeout=15,
        what="the approver's and the owner's e-mails",
    )
    [message] = smtp_server.to("li.wei@xinyuan.example")
    assert message["Content-Language"] == "zh-Hans"
    text = message.get_body(("plain",)).get_content()
    assert "李伟，您好：" in text and "(Asia/Shanghai)" in text, text
    assert "您因在 Shanghai Xinyuan Microelectronics 担任的角色收到此通知。" in text
    [message] = smtp_server.to("chen@xinyuan.example")
    assert message["Content-Language"] == "zh-Hant"
    assert "(Asia/Taipei)" in message.get_body(("plain",)).get_content()


@pytest.mark.databases("sqlite", "postgresql")
def test_the_migration_makes_the_people_tables_as_the_models_say(make_database):
    engine = sa.create_engine(make_database("notify"))
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    engine.dispose()
    tables = {"known_person", "known_membership", "delivery"}
    assert [d for d in differences if tables & set(str(d).split("'"))] == []


def settings_changed(person_id, locale, timezone, changed_at):
    return new_event(
        "ipmarket.person.settings_changed.v1",
        "/ipmarket/catalog",
        person_id,
        {"person_id": person_id, "locale": locale, "timezone": timezone, "changed_at": changed_at},
    )


def platform_roles_changed(person_id, email, roles, changed_at, **settings):
    return new_event(
        "ipmarket.person.platform_roles_changed.v1",
        "/ipmarket/catalog",
        person_id,
        {
            "person_id": person_id,
            "name_en": "Li Wei",
            "email": email,
            "platform_roles": roles,
            "changed_at": changed_at,
            **settings,
        },
    )


def test_a_person_s_own_settings_rule_over_older_news_and_repeats_change_nothing(
    notify_context, handle, deal
):
    vendor, licensee, people = deal
    approver = people["approver"]  # joined in zh-Hans and the vendor's Shanghai time
    chosen = settings_changed(approver, "en", "Europe/London", "2026-12-01T09:00:00+00:00")
    handle(chosen)
    handle(chosen)  # delivered twice: nothing more
    # an older announcement overtaken by her choice (other keys, other partitions): ignored
    handle(
        platform_roles_changed(
            approver,
            "li.wei@xinyuan.example",
            [],
            "2026-11-30T09:00:00+00:00",
            locale="zh-Hans",
            timezone="Asia/Shanghai",
        )
    )
    handle(settings_changed(approver, "zh-Hant", None, "2026-11-30T10:00:00+00:00"))
    event = handle(license_requested(vendor, licensee, "approval"))
    assert emailed(notify_context, event)["li.wei@xinyuan.example"] == (
        vendor,
        "en",
        "Europe/London",
    )
    # null again: the organisation's
    handle(settings_changed(approver, None, None, "2026-12-02T09:00:00+00:00"))
    event = handle(license_requested(vendor, licensee, "approval"))
    assert emailed(notify_context, event)["li.wei@xinyuan.example"] == (
        vendor,
        "en",
        "Asia/Shanghai",
    )


def test_platform_roles_told_again_as_they_are_change_nothing(
    notify_context, organisation, handle, deal
):
    """The catalog's migration 0010 tells every platform person's roles again: a reviewer
    told twice is still one reviewer, written to once, in her settings."""
    vendor, licensee, _ = deal
    organisation("IP Platform", country="HK", roles=["admin"], contacts=[])
    reviewer = str(uuid.uuid4())
    settings = {"locale": "zh-Hant", "timezone": "Asia/Hong_Kong"}
    for changed_at in ("2026-11-01T00:00:00+00:00", "2026-12-02T00:00:00+00:00"):
        handle(
            platform_roles_changed(
                reviewer, "review@platform.example", ["export_reviewer"], changed_at, **settings
            )
        )
    event = handle(license_requested(vendor, licensee, "export_review"))
    reviewers = {
        address: route
        for address, route in emailed(notify_context, event).items()
        if address == "review@platform.example"
    }
    assert [route[1:] for route in reviewers.values()] == [("zh-Hant", "Asia/Hong_Kong")]


def test_a_platform_person_known_before_the_platform_itself_is_written_to_all_the_same(
    notify_context, organisation, handle, deal
):
    """A reviewer's roles (keyed by person) may arrive before the platform's registration (keyed
    by organisation): the platform frames her messages once it is known (a message framed by
    no organisation could not be stored, and the notice went to the dead letters)."""
    vendor, licensee, _ = deal
    reviewer = str(uuid.uuid4())
    handle(
        platform_roles_changed(
            reviewer, "review@platform.example", ["export_reviewer"], "2026-12-01T09:00:00+00:00"
        )
    )
    platform, _ = organisation(
        "IP Platform", country="HK", roles=["admin"], timezone="Asia/Hong_Kong", contacts=[]
    )
    event = handle(license_requested(vendor, licensee, "export_review"))
    assert emailed(notify_context, event)["review@platform.example"] == (
        platform,
        "en",
        "Asia/Hong_Kong",
    )
