"""Who hears about which event, and over which channel.

- License, quote, order and invoice events go to both sides of the deal (vendor and licensee).
- Core events go to the organisations holding a license for the core and to those watching the
  core (any version of it) or its vendor.
- Organisation, API key, vendor name and webhook endpoint events go to that organisation.
- A request for IP goes to the vendors it lists (those publishing cores in its category).
Each organisation chooses per event type whether it wants e-mail, webhooks or both (default
both); each endpoint may list the event types it takes (none: all); each contact chooses which
notices it wants (`notices`: "all", a group such as "license", or an event type).

Besides the contacts, some events reach people by their role (`roles_to_tell`), each in their
own language and time zone: a request awaiting a decision (new, or cleared by export review) its
vendor's approvers (and owners), an invoice its licensee's finance people, a request waiting for
export review the platform's export reviewers.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from shared import roles
from shared.events import deliverables, licensing
from shared.events.notices import GROUPS

DELIVERY_NAMESPACE = uuid.UUID("0f3c8f4e-8a47-4b0a-9a59-3c2b1b6f7e21")

GROUP_OF: dict[str, str] = {t: group for group, types in GROUPS.items() for t in types}
NOTICE_TYPES: tuple[str, ...] = tuple(GROUP_OF)
DEAL_GROUPS = frozenset({"license", "quote", "order", "invoice"})
OWN_GROUPS = frozenset({"organisation", "api_key", "vendor_name", "webhook_endpoint"})
# License events that start and end an organisation's holding of a core.
HOLDING_STARTS = frozenset(
    {licensing.LICENSE_ISSUED, licensing.LICENSE_RENEWED, licensing.LICENSE_REINSTATED}
)
HOLDING_ENDS = frozenset({licensing.LICENSE_REVOKED, licensing.LICENSE_EXPIRED})


class Audience(enum.Enum):
    """Whom an event concerns."""

    DEAL_PARTIES = "deal parties"  # the vendor and the licensee named in the event
    LICENSEE = "licensee"  # the licensee alone (its package is ready: nothing for the vendor)
    VENDOR = "vendor"  # the vendor alone (its daily download digest)
    ORGANISATION = "organisation"  # the organisation the event is about
    CORE_FOLLOWERS = "core followers"  # holders of a license for the core, and its watchers
    VENDORS = "vendors"  # the vendors the event lists (a request for IP: those of its category)
    NOBODY = "nobody"


class Channel(enum.StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


def event_group(event_type: str) -> str | None:
    return GROUP_OF.get(event_type)


def audience(event_type: str, data: dict) -> Audience:
    if event_type == deliverables.DELIVERABLES_READY:
        return Audience.LICENSEE
    if event_type == deliverables.DELIVERABLES_DAILY_DIGEST:
        return Audience.VENDOR
    if "vendor_id" in data and "licensee_id" in data:  # a deal: licenses, quotes, orders
        return Audience.DEAL_PARTIES
    group = event_group(event_type)
    if group in OWN_GROUPS:
        return Audience.ORGANISATION
    if group == "core":
        return Audience.CORE_FOLLOWERS
    if group == "ip_request":
        return Audience.VENDORS
    return Audience.NOBODY


def named_recipients(event_type: str, data: dict) -> set[str] | None:
    """The organisations the event names as its audience; None when they must be looked up
    (the followers of a core)."""
    found = audience(event_type, data)
    if found is Audience.DEAL_PARTIES:
        return {data["vendor_id"], data["licensee_id"]}
    if found is Audience.LICENSEE:
        return {data["licensee_id"]}
    if found is Audience.VENDOR:
        return {data["vendor_id"]}
    if found is Audience.ORGANISATION:
        return {data["organisation_id"]}
    if found is Audience.CORE_FOLLOWERS:
        return None
    if found is Audience.VENDORS:
        return set(data["vendor_ids"])
    return set()


class RoleAudience(NamedTuple):
    """The people holding one of `roles` in `organisation_id` (None: the platform's roles)."""

    organisation_id: str | None
    roles: frozenset[str]


DECIDERS = roles.roles_allowed("license_requests.decide")  # the vendor's owners and approvers


def roles_to_tell(event_type: str, data: dict) -> list[RoleAudience]:
    """Who, by role, hears of the event besides the organisations' contacts."""
    if event_type in (licensing.LICENSE_REQUESTED, licensing.LICENSE_EXPORT_CLEARED):
        if data.get("awaiting") == "approval":
            return [RoleAudience(data["vendor_id"], DECIDERS)]
        if data.get("awaiting") == "export_review":
            return [RoleAudience(None, frozenset({roles.EXPORT_REVIEWER}))]
    elif event_type == licensing.QUOTE_REQUESTED:
        return [RoleAudience(data["vendor_id"], roles.roles_allowed("quotes.decide"))]
    elif event_type in (licensing.INVOICE_ISSUED, licensing.INVOICE_OVERDUE):
        return [RoleAudience(data["licensee_id"], frozenset({roles.FINANCE}))]
    return []


class PersonRoute(NamedTuple):
    """Whom to write to in `organisation_id`'s name (locale, time zone None: the organisation's)."""

    organisation_id: str
    email: str
    name: str
    locale: str | None
    timezone: str | None


def core_line(vlnv: dict) -> str:
    """vendor:library:name: what every version of a core shares."""
    return f"{vlnv['vendor']}:{vlnv['library']}:{vlnv['name']}"


def contact_wants(contact: dict, event_type: str) -> bool:
    wanted = set(contact.get("notices") or [])
    return bool(wanted & {"all", event_group(event_type), event_type})


def endpoint_takes(event_types: list[str], event_type: str) -> bool:
    return not event_types or event_type in event_types


class Route(NamedTuple):
    """How one organisation wants to hear about one event type."""

    organisation_id: str
    contacts: list[dict]  # empty when the organisation is not (yet) in the directory
    email: bool
    webhook: bool
    endpoints: list[tuple[str, list[str]]]  # (endpoint id, event types) of enabled endpoints


def delivery_id_for(event_id: str, channel: str, target: str) -> str:
    """Deterministic: the same event to the same target is the same delivery."""
    return str(uuid.uuid5(DELIVERY_NAMESPACE, f"{event_id}/{channel}/{target}"))


def plan_deliveries(
    event_id: str,
    event_type: str,
    routes: list[Route],
    now: datetime,
    message_id_for: Callable[[str, str], str],
    people: list[PersonRoute] = (),
) -> list[dict]:
    """The pending deliveries (rows of the delivery table) of one notice: one per endpoint that
    takes the event type, one per address of a contact who wants it, and one per person told
    by role (unless a contact has the same address, or their organisation turned e-mail off
    for the event type)."""
    deliveries = []
    for route in routes:
        if route.webhook:
            deliveries.extend(
                _delivery(
                    event_id,
                    route.organisation_id,
                    Channel.WEBHOOK,
                    endpoint_id,
                    now,
                    endpoint_id=endpoint_id,
                    message_id=event_id,
                )
                for endpoint_id, types in route.endpoints
                if endpoint_takes(types, event_type)
            )
        if route.email:
            addresses = set()
            for contact in route.contacts:
                address = contact["email"].lower()
                if contact_wants(contact, event_type) and address not in addresses:
                    addresses.add(address)  # one message per address, however often listed
                    deliveries.append(
                        _delivery(
                            event_id,
                            route.organisation_id,
                            Channel.EMAIL,
                            address,
                            now,
                            address=contact["email"],
                            recipient_name=contact.get("name"),
                            message_id=message_id_for(event_id, address),
                        )
                    )
    written = {d["address"].lower() for d in deliveries if d["address"]}
    silent = {route.organisation_id for route in routes if not route.email}
    for person in people:
        address = person.email.lower()
        if address in written or person.organisation_id in silent:
            continue
        written.add(address)
        deliveries.append(
            _delivery(
                event_id,
                person.organisation_id,
                Channel.EMAIL,
                address,
                now,
                address=person.email,
                recipient_name=person.name,
                message_id=message_id_for(event_id, address),
                locale=person.locale,
                timezone=person.timezone,
            )
        )
    return deliveries


def account_delivery(event_id: str, addressee, now: datetime, message_id: str) -> dict:
    """The one e-mail delivery of a message about an account (domain.account_messages.Addressee),
    standing under what it is about rather than an organisation."""
    return _delivery(
        event_id,
        addressee.key,
        Channel.EMAIL,
        addressee.email.lower(),
        now,
        address=addressee.email,
        recipient_name=addressee.name or None,
        message_id=message_id,
        locale=addressee.locale,
        timezone=addressee.timezone,
    )


def endpoint_delivery(event_id: str, organisation_id: str, endpoint_id: str, now: datetime) -> dict:
    """The one delivery of a notice meant for one endpoint only (a test event)."""
    return _delivery(
        event_id,
        organisation_id,
        Channel.WEBHOOK,
        endpoint_id,
        now,
        endpoint_id=endpoint_id,
        message_id=event_id,
    )


def _delivery(
    event_id: str,
    org_id: str,
    channel: Channel,
    target: str,
    now: datetime,
    *,
    endpoint_id: str | None = None,
    address: str | None = None,
    recipient_name: str | None = None,
    message_id: str,
    locale: str | None = None,
    timezone: str | None = None,
) -> dict:
    return {
        "id": delivery_id_for(event_id, channel.value, target),
        "notice_id": event_id,
        "organisation_id": org_id,
        "channel": channel.value,
        "endpoint_id": endpoint_id,
        "address": address,
        "recipient_name": recipient_name,
        "locale": locale,
        "timezone": timezone,
        "message_id": message_id,
        "state": DeliveryState.PENDING.value,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": None,
        "created_at": now,
        "delivered_at": None,
    }
