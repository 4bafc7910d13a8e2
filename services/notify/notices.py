"""Who hears what: a domain event becomes a notice and one delivery per recipient endpoint or
contact. Runs inside the consumer's transaction, so the deliveries are stored together with the
processed-event record: once Kafka's offset moves on, every delivery is on disk.

- License, quote, order and invoice events go to both sides (vendor and licensee).
- Core events go to organisations holding a license for the core and to those watching the
  core (any version of it) or its vendor.
- Organisation and API key events go to that organisation.
Each organisation chooses per event type whether it wants email, webhooks or both (default both);
each contact chooses which notices it wants (`notices`: "all", a group such as "license", or an
event type).
"""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.notify.mail import message_id_for
from services.notify.models import (
    DELIVERY_DUE_CHANNEL,
    Delivery,
    Endpoint,
    Holding,
    KnownCore,
    KnownOrganisation,
    Notice,
    Preference,
    Watch,
)
from services.notify.wording import SUBJECTS
from shared.db.bulk_insert import insert_ignoring_duplicates
from shared.db.schema import utcnow
from shared.db.session import insert_at_commit
from shared.events import Event

DELIVERY_NAMESPACE = uuid.UUID("0f3c8f4e-8a47-4b0a-9a59-3c2b1b6f7e21")
NOTICE_TYPES = tuple(SUBJECTS["en"])


def core_line(vlnv: dict) -> str:
    return f"{vlnv['vendor']}:{vlnv['library']}:{vlnv['name']}"


def event_group(event_type: str) -> str:
    """"ipmarket.license.issued.v1" → "license"."""
    return event_type.split(".")[1]


# --- projections the routing needs -------------------------------------------------------------

def apply_core(event: Event, session: Session) -> None:
    data = event.data
    core = session.get(KnownCore, data["core_id"])
    if core is not None and core.version >= data["version"]:
        return  # an older state arriving late changes nothing
    if core is None:
        core = KnownCore(core_id=data["core_id"])
        session.add(core)
    core.vendor_id = data["vendor_id"]
    core.line = core_line(data["vlnv"])
    core.status = data["status"]
    core.version = data["version"]


def apply_license(event: Event, session: Session) -> None:
    data = event.data
    license_id = data.get("license_id")
    if not license_id:
        return
    kind = event.type.split(".")[2]
    # One statement each, no read first: this runs for every license event.
    if kind in ("issued", "renewed", "reinstated"):
        session.execute(insert_ignoring_duplicates(session, Holding.__table__).values(
            license_id=license_id, organisation_id=data["licensee_id"], core_id=data["core_id"]))
    elif kind in ("revoked", "expired"):
        session.execute(sa.delete(Holding.__table__).where(
            Holding.__table__.c.license_id == license_id))


# --- recipients ---------------------------------------------------------------------------------

def recipients(event: Event, session: Session) -> set[str]:
    """Ids of the organisations to tell about `event`."""
    data = event.data
    group = event_group(event.type)
    if "vendor_id" in data and "licensee_id" in data:  # a deal: licenses, quotes, orders
        return {data["vendor_id"], data["licensee_id"]}
    if group in ("organisation", "api_key", "vendor_name", "webhook_endpoint"):
        return {data["organisation_id"]}
    if group == "core":
        holders = session.scalars(sa.select(Holding.organisation_id)
                                  .where(Holding.core_id == data["core_id"])).all()
        same_line = sa.select(KnownCore.core_id).where(KnownCore.line == core_line(data["vlnv"]))
        watchers = session.scalars(sa.select(Watch.organisation_id).where(sa.or_(
            sa.and_(Watch.kind == "core",
                    sa.or_(Watch.target_id == data["core_id"], Watch.target_id.in_(same_line))),
            sa.and_(Watch.kind == "vendor", Watch.target_id == data["vendor_id"])))).all()
        return set(holders) | set(watchers)
    return set()


def contact_wants(contact: dict, event_type: str) -> bool:
    wanted = set(contact.get("notices") or [])
    return bool(wanted & {"all", event_group(event_type), event_type})


def record_notice(event: Event, session: Session) -> int:
    """Store the notice of `event` and a pending delivery for each recipient; return how many.
    Runs in the consumer's transaction of a whole batch of events, whose routing reads are
    shared (see `routes_of_batch`)."""
    return notify(session, event_id=event.id, event_type=event.type, occurred_at=event.time,
                  data=event.data, organisation_ids=recipients(event, session),
                  routes=routes_of_batch(session))


class Route(NamedTuple):
    """How one organisation wants to hear about one event type."""

    organisation_id: str
    contacts: list[dict]  # empty when the organisation is not (yet) in the directory
    email: bool
    webhook: bool
    endpoints: list[tuple[str, list[str]]]  # (endpoint id, event types) of enabled endpoints


ROUTES_OF_BATCH = "notify.routes"


def routes_of_batch(session: Session) -> dict:
    """The routes read so far in this session's transaction. A consumer handles a batch of
    events in one transaction; the events of a busy deal go to the same organisations, and
    reading their contacts, preferences and endpoints once per batch instead of once per event
    halves the statements. A directory event in the batch clears them (`forget_routes`);
    preferences and endpoints changed through the API meanwhile apply from the next batch,
    as if the batch had been handled a moment earlier."""
    transaction, routes = session.info.get(ROUTES_OF_BATCH, (None, None))
    if transaction is not session.get_transaction():  # kept for one transaction only
        transaction, routes = session.get_transaction(), {}
        session.info[ROUTES_OF_BATCH] = (transaction, routes)
    return routes


def forget_routes(session: Session) -> None:
    session.info.pop(ROUTES_OF_BATCH, None)


def read_routes(session: Session, organisation_ids: list[str], event_type: str) -> list[Route]:
    # Two queries however many recipients.
    found = {row.organisation_id: row for row in session.execute(
        sa.select(KnownOrganisation.organisation_id, KnownOrganisation.contacts,
                  Preference.email, Preference.webhook)
        .outerjoin(Preference, sa.and_(
            Preference.organisation_id == KnownOrganisation.organisation_id,
            Preference.event_type == event_type))
        .where(KnownOrganisation.organisation_id.in_(organisation_ids)))}
    endpoints = session.execute(
        sa.select(Endpoint.id, Endpoint.organisation_id, Endpoint.event_types)
        .where(Endpoint.organisation_id.in_(organisation_ids), Endpoint.disabled_at.is_(None))
        .order_by(Endpoint.created_at)).all()
    routes = []
    for org_id in organisation_ids:
        row = found.get(org_id)
        # No preference row: both channels. An organisation not in the directory yet has no
        # contacts to write to, but its endpoints are known.
        routes.append(Route(
            org_id, (row.contacts or []) if row else [],
            row is None or row.email is None or row.email,
            row is None or row.webhook is None or row.webhook,
            [(e.id, e.event_types) for e in endpoints if e.organisation_id == org_id]))
    return routes


def notify(session: Session, *, event_id: str, event_type: str, occurred_at: datetime,
           data: dict, organisation_ids: set[str], routes: dict | None = None) -> int:
    """Store the notice and its deliveries; `routes` may carry routes read before in the same
    transaction."""
    if not organisation_ids:
        return 0
    ids = sorted(organisation_ids)
    routes = {} if routes is None else routes
    if (key := (tuple(ids), event_type)) not in routes:
        routes[key] = read_routes(session, ids, event_type)
    now = utcnow()
    deliveries = []
    for route in routes[key]:
        if route.webhook:
            deliveries.extend(
                _delivery(event_id, route.organisation_id, "webhook", endpoint_id, now,
                          endpoint_id=endpoint_id, message_id=event_id)
                for endpoint_id, types in route.endpoints if not types or event_type in types)
        if route.email:
            addresses = set()
            for contact in route.contacts:
                address = contact["email"].lower()
                if contact_wants(contact, event_type) and address not in addresses:
                    addresses.add(address)  # one message per address, however often listed
                    deliveries.append(_delivery(
                        event_id, route.organisation_id, "email", address, now,
                        address=contact["email"], recipient_name=contact.get("name"),
                        message_id=message_id_for(event_id, address)))
    # Written at commit with the batch's others, one INSERT per table, not one per consumed
    # event: nothing reads them back in this transaction. The notice first: the deliveries
    # refer to it.
    insert_at_commit(session, Notice.__table__, {"event_id": event_id, "event_type": event_type,
                                                 "occurred_at": occurred_at, "data": data})
    for delivery in deliveries:
        insert_at_commit(session, Delivery.__table__, delivery)
    if deliveries:
        wake_delivery_workers(session)
    return len(deliveries)


WOKEN = "notify.delivery_workers_woken"


def wake_delivery_workers(session: Session) -> None:
    """Have PostgreSQL wake the delivery workers when this transaction commits, so that they
    send at once rather than at their next poll. Once per transaction: each NOTIFY is a round
    trip, and PostgreSQL folds the repeats of one transaction into one anyway."""
    if session.get_bind().dialect.name != "postgresql":
        return
    if session.info.get(WOKEN) is not session.get_transaction():
        session.info[WOKEN] = session.get_transaction()
        session.execute(sa.text(f"NOTIFY {DELIVERY_DUE_CHANNEL}"))


def _delivery(event_id: str, org_id: str, channel: str, target: str, now: datetime, *,
              endpoint_id: str | None = None, address: str | None = None,
              recipient_name: str | None = None, message_id: str) -> dict:
    # Deterministic: the same event to the same target is the same delivery.
    delivery_id = str(uuid.uuid5(DELIVERY_NAMESPACE, f"{event_id}/{channel}/{target}"))
    return {"id": delivery_id, "notice_id": event_id, "organisation_id": org_id,
            "channel": channel, "endpoint_id": endpoint_id, "address": address,
            "recipient_name": recipient_name, "message_id": message_id, "state": "pending",
            "attempts": 0, "next_attempt_at": now, "last_error": None, "created_at": now,
            "delivered_at": None}
