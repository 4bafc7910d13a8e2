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

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.notify.mail import message_id_for
from services.notify.models import (Delivery, Endpoint, Holding, KnownCore, KnownOrganisation,
                                    Notice, Preference, Watch, insert_ignoring_duplicates)
from services.notify.wording import SUBJECTS
from shared.db import utcnow
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
        session.execute(insert_ignoring_duplicates(session, Holding).values(
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
    if group in ("organisation", "api_key", "webhook_endpoint"):
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
    """Store the notice of `event` and a pending delivery for each recipient; return how many."""
    return notify(session, event_id=event.id, event_type=event.type, occurred_at=event.time,
                  data=event.data, organisation_ids=recipients(event, session))


def notify(session: Session, *, event_id: str, event_type: str, occurred_at: datetime,
           data: dict, organisation_ids: set[str]) -> int:
    if not organisation_ids:
        return 0
    ids = sorted(organisation_ids)
    # Added first: the next query's autoflush writes it before the deliveries that refer to it.
    session.add(Notice(event_id=event_id, event_type=event_type, occurred_at=occurred_at,
                       data=data))
    # Two queries however many recipients: this runs once per consumed event.
    organisations, preferences = {}, {}
    for organisation, preference in session.execute(
            sa.select(KnownOrganisation, Preference).outerjoin(Preference, sa.and_(
                Preference.organisation_id == KnownOrganisation.organisation_id,
                Preference.event_type == event_type))
            .where(KnownOrganisation.organisation_id.in_(ids))):
        organisations[organisation.organisation_id] = organisation
        preferences[organisation.organisation_id] = preference
    endpoints = session.scalars(sa.select(Endpoint).where(
        Endpoint.organisation_id.in_(ids), Endpoint.disabled_at.is_(None))
        .order_by(Endpoint.created_at)).all()
    deliveries = []
    for org_id in ids:
        preference = preferences.get(org_id)
        if preference is None or preference.webhook:
            for endpoint in endpoints:
                if endpoint.organisation_id == org_id and \
                        (not endpoint.event_types or event_type in endpoint.event_types):
                    deliveries.append(_delivery(event_id, org_id, "webhook", endpoint.id,
                                                endpoint_id=endpoint.id, message_id=event_id))
        organisation = organisations.get(org_id)
        if (preference is None or preference.email) and organisation is not None:
            addresses = set()
            for contact in organisation.contacts:
                address = contact["email"].lower()
                if contact_wants(contact, event_type) and address not in addresses:
                    addresses.add(address)  # one message per address, however often listed
                    deliveries.append(_delivery(
                        event_id, org_id, "email", address, address=contact["email"],
                        recipient_name=contact.get("name"),
                        message_id=message_id_for(event_id, address)))
    session.add_all(deliveries)
    return len(deliveries)


def _delivery(event_id: str, org_id: str, channel: str, target: str, **fields) -> Delivery:
    # Deterministic: the same event to the same target is the same delivery.
    delivery_id = str(uuid.uuid5(DELIVERY_NAMESPACE, f"{event_id}/{channel}/{target}"))
    return Delivery(id=delivery_id, notice_id=event_id, organisation_id=org_id, channel=channel,
                    state="pending", attempts=0, next_attempt_at=utcnow(), **fields)
