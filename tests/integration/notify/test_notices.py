"""Who hears what: the consumer's handlers turn events into deliveries (real PostgreSQL)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from services.notify.models import Delivery, Holding
from services.notify.subscriptions import set_preference, watch
from services.notify.webhook_endpoints import register_endpoint
from shared.events import new_event
from tests.integration.notify.conftest import organisation_event

VLNV = {"vendor": "pearl", "library": "serdes", "name": "pcie5", "version": "1.0"}


def core_event(kind: str, core_id: str, vendor_id: str, version: str = "1.0", record: int = 1):
    return new_event(
        f"ipmarket.core.{kind}.v1",
        "/ipmarket/catalog",
        core_id,
        {
            "core_id": core_id,
            "vendor_id": vendor_id,
            "vlnv": {**VLNV, "version": version},
            "title_en": "PCIe 5 PHY",
            "title_zh": None,
            "category": "interface",
            "status": "published" if kind in ("published", "updated") else kind,
            "eccn": "EAR99",
            "territory_restrictions": [],
            "standards": [],
            "deliverables": [],
            "offers": [],
            "version": record,
        },
    )


def license_event(kind: str, vendor_id: str, licensee_id: str, core_id: str, license_id: str):
    return new_event(
        f"ipmarket.license.{kind}.v1",
        "/ipmarket/licensing",
        license_id,
        {
            "vendor_id": vendor_id,
            "licensee_id": licensee_id,
            "core_id": core_id,
            "vlnv": VLNV,
            "license_id": license_id,
        },
    )


def recipients_of(context, event) -> dict[str, set[str]]:
    """organisation id → the channels it gets `event` by."""
    with context.session_factory() as session:
        rows = session.execute(
            sa.select(Delivery.organisation_id, Delivery.channel).where(
                Delivery.notice_id == event.id
            )
        ).all()
    out: dict[str, set[str]] = {}
    for org_id, channel in rows:
        out.setdefault(org_id, set()).add(channel)
    return out


def test_core_events_reach_holders_and_watchers_only(notify_context, organisation, handle):
    vendor, _ = organisation("Pearl River Silicon", country="HK", roles=["vendor"])
    holder, _ = organisation("Holder Ltd", country="CN")
    core_watcher, _ = organisation("Core Watcher", country="TW")
    vendor_watcher, _ = organisation("Vendor Watcher", country="US")
    bystander, _ = organisation("Bystander", country="SG")
    handle(core_event("published", "core-1", vendor))
    with notify_context.session_factory() as session, session.begin():
        watch(session, core_watcher, "core", "core-1")
        watch(session, vendor_watcher, "vendor", vendor)
    handle(license_event("issued", vendor, holder, "core-1", "lic-1"))

    # A new version is another core of the same line: watchers of the line hear of it.
    new_version = handle(core_event("published", "core-2", vendor, version="2.0"))
    assert set(recipients_of(notify_context, new_version)) == {core_watcher, vendor_watcher}
    deprecated = handle(core_event("deprecated", "core-1", vendor, record=2))
    assert set(recipients_of(notify_context, deprecated)) == {holder, core_watcher, vendor_watcher}
    assert bystander not in recipients_of(notify_context, deprecated)

    handle(license_event("revoked", vendor, holder, "core-1", "lic-1"))
    with notify_context.session_factory() as session:
        assert session.get(Holding, "lic-1") is None
    withdrawn = handle(core_event("withdrawn", "core-1", vendor, record=3))
    assert set(recipients_of(notify_context, withdrawn)) == {core_watcher, vendor_watcher}


def test_license_events_reach_both_sides_by_the_channels_each_chose(
    notify_context, organisation, handle
):
    vendor, _ = organisation("Vendor", roles=["vendor"])
    licensee, _ = organisation(
        "Licensee",
        country="CN",
        contacts=[
            {"name": "A", "email": "a@l.example", "notices": ["license"]},
            {"name": "A again", "email": "A@l.example", "notices": ["all"]},
            {"name": "B", "email": "b@l.example", "notices": ["ipmarket.license.expiring.v1"]},
        ],
    )
    with notify_context.session_factory() as session, session.begin():
        register_endpoint(
            session, vendor, url="http://127.0.0.1:9/v", event_types=["ipmarket.license.issued.v1"]
        )
        register_endpoint(session, licensee, url="http://127.0.0.1:9/l", event_types=[])
        set_preference(session, vendor, "ipmarket.license.issued.v1", email=False, webhook=True)
    issued = handle(license_event("issued", vendor, licensee, "core-1", str(uuid.uuid4())))
    assert recipients_of(notify_context, issued) == {
        vendor: {"webhook"},
        licensee: {"webhook", "email"},
    }
    with notify_context.session_factory() as session:
        emails = session.scalars(
            sa.select(Delivery.address).where(
                Delivery.notice_id == issued.id, Delivery.channel == "email"
            )
        ).all()
    assert emails == ["a@l.example"]  # one message per address; B wants expiry notices only

    approved = handle(license_event("approved", vendor, licensee, "core-1", str(uuid.uuid4())))
    # The vendor's endpoint takes issued licenses only; its email preference is per type.
    assert recipients_of(notify_context, approved) == {
        vendor: {"email"},
        licensee: {"webhook", "email"},
    }


def test_a_directory_event_in_a_consumer_batch_reroutes_the_events_after_it(
    notify_context, organisation
):
    """Routes are read once per batch transaction; an organisation update in the batch must
    apply to the events after it."""
    from services.notify.handlers import event_handlers

    handlers = event_handlers()
    vendor, _ = organisation("Vendor", roles=["vendor"], contacts=[])
    licensee, _ = organisation("Licensee", country="CN", contacts=[])
    before = license_event("issued", vendor, licensee, "core-1", str(uuid.uuid4()))
    update = organisation_event(
        vendor,
        name="Vendor",
        country="US",
        roles=["vendor"],
        locale="en",
        timezone="UTC",
        contacts=[{"name": "New", "email": "new@v.example", "notices": ["license"]}],
        version=2,
    )
    after = license_event("issued", vendor, licensee, "core-2", str(uuid.uuid4()))
    with notify_context.session_factory() as session, session.begin():  # one batch
        for event in (before, update, after):
            handlers[event.type](event, session)
    assert recipients_of(notify_context, before) == {}
    assert recipients_of(notify_context, after) == {vendor: {"email"}}


def test_every_domain_event_is_handled_and_has_a_subject_in_every_language():
    from services.notify.domain.account_messages import ACCOUNT_TYPES, WORDS
    from services.notify.domain.wording import SUBJECTS
    from services.notify.handlers import event_handlers
    from shared.events.deliverables import (
        DELIVERABLE_DOWNLOADED,
        DELIVERABLE_UPLOADED,
        MANIFEST_KEY_PUBLISHED,
        MANIFEST_KEY_RETIRED,
    )
    from shared.events.licensing import SCREENING_RULES_PUBLISHED
    from shared.events.people import ACCESS_TOKEN_KEY_ANNOUNCED, PEOPLE_EVENTS, SESSION_ENDED
    from shared.events.registry import known_types

    # Notify's own event is the exception: it tells the organisation directly when it disables
    # an endpoint, and does not consume its own stream. Token keys and ended sessions are
    # projected to check people's access tokens.
    consumed = set(known_types()) - {"ipmarket.webhook_endpoint.disabled.v1"}
    not_yet = {DELIVERABLE_UPLOADED, DELIVERABLE_DOWNLOADED}  # notices of these come next (17)
    # A rule set in force is state for deliverables' export re-check, not news for anyone.
    not_yet.add(SCREENING_RULES_PUBLISHED)
    # The manifests' keys are licensing's to serve in its JWKS, not news for anyone either.
    not_yet |= {MANIFEST_KEY_PUBLISHED, MANIFEST_KEY_RETIRED}
    consumed -= not_yet
    assert consumed <= set(event_handlers())
    people_without_message = set(PEOPLE_EVENTS) - set(ACCOUNT_TYPES)
    for locale, subjects in SUBJECTS.items():
        assert set(known_types()) - set(PEOPLE_EVENTS) - not_yet <= set(subjects), locale
        assert set(WORDS[locale]) == set(ACCOUNT_TYPES), locale
    # Membership events keep notify's people projection; they send nothing of their own.
    assert people_without_message == {
        ACCESS_TOKEN_KEY_ANNOUNCED,
        SESSION_ENDED,
        "ipmarket.member.joined.v1",
        "ipmarket.member.removed.v1",
        "ipmarket.member.roles_changed.v1",
        "ipmarket.person.platform_roles_changed.v1",
        "ipmarket.person.settings_changed.v1",
        "ipmarket.person.disabled.v1",
    }


def test_quote_order_and_invoice_events_reach_both_sides(notify_context, organisation, handle):
    vendor, _ = organisation("Vendor", roles=["vendor"])
    licensee, _ = organisation(
        "Licensee",
        country="CN",
        contacts=[{"name": "Buyer", "email": "buyer@l.example", "notices": ["invoice"]}],
    )
    order_id = str(uuid.uuid4())
    invoice = handle(
        new_event(
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
                "invoice_number": "INV-000001",
                "amount": "12500.00",
                "currency": "CNY",
            },
        )
    )
    assert set(recipients_of(notify_context, invoice)) == {vendor, licensee}
    paid = handle(
        new_event(
            "ipmarket.order.paid.v1",
            "/ipmarket/licensing",
            order_id,
            {
                "vendor_id": vendor,
                "licensee_id": licensee,
                "core_id": "core-1",
                "vlnv": VLNV,
                "offer_id": "std",
                "order_id": order_id,
                "paid_amount": "12500.00",
                "currency": "CNY",
            },
        )
    )
    assert vendor in recipients_of(notify_context, paid)

    def emailed(event) -> list[str]:
        with notify_context.session_factory() as session:
            return session.scalars(
                sa.select(Delivery.address).where(
                    Delivery.notice_id == event.id, Delivery.channel == "email"
                )
            ).all()

    # The buyer asked for invoice notices only ("invoice" is a group of event types).
    assert "buyer@l.example" in emailed(invoice)
    assert "buyer@l.example" not in emailed(paid)


def test_committing_a_notices_deliveries_wakes_the_delivery_workers(
    notify_context, handle, organisation
):
    """The delivery table's wake channel: the commit that writes deliveries NOTIFYs the
    workers (the one statement that inserts them), so a notice goes out at once, not at the
    next poll."""
    import threading

    from services.notify.models import DELIVERY_DUE_CHANNEL
    from shared.db.wake import listen
    from tests.support import wait_until

    vendor_id, _ = organisation("Golden Gate IP Inc.", roles=["vendor"])
    licensee_id, _ = organisation("Xinhe Chip", country="CN")
    stop, listening, woken = threading.Event(), threading.Event(), threading.Event()
    thread = threading.Thread(
        target=listen,
        args=(notify_context.engine, DELIVERY_DUE_CHANNEL, woken, stop),
        kwargs={"listening": listening, "who": "test"},
        daemon=True,
    )
    thread.start()
    try:
        wait_until(listening.is_set, timeout=10, what="the LISTEN")
        wait_until(woken.is_set, timeout=5, what="the wake every LISTEN begins with")
        woken.clear()
        handle(license_event("issued", vendor_id, licensee_id, "core-1", str(uuid.uuid4())))
        wait_until(woken.is_set, timeout=10, what="the commit's NOTIFY")
    finally:
        stop.set()
        thread.join(5)
