"""What a contact may ask to be told about: "all", a group of event types, or one event type.

The catalog checks an organisation's contacts against these choices; notify routes notices by
them. One list, here, so the two cannot drift; an event type joins a group by being named below
(its contract module names the type).
"""

from __future__ import annotations

from shared.events import catalog, deliverables, licensing
from shared.events.notify import WEBHOOK_ENDPOINT_DISABLED

# The event types notices are sent for, by group (what a contact may ask for by name).
GROUPS: dict[str, tuple[str, ...]] = {
    "license": (
        licensing.LICENSE_REQUESTED,
        licensing.LICENSE_APPROVED,
        licensing.LICENSE_REJECTED,
        licensing.LICENSE_DENIED,
        licensing.LICENSE_EXPORT_CLEARED,
        licensing.LICENSE_ISSUED,
        licensing.LICENSE_SUSPENDED,
        licensing.LICENSE_REINSTATED,
        licensing.LICENSE_REVOKED,
        licensing.LICENSE_RENEWED,
        licensing.LICENSE_EXPIRING,
        licensing.LICENSE_EXPIRED,
    ),
    "core": (
        catalog.CORE_PUBLISHED,
        catalog.CORE_UPDATED,
        catalog.CORE_DEPRECATED,
        catalog.CORE_WITHDRAWN,
    ),
    "organisation": (catalog.ORGANISATION_REGISTERED, catalog.ORGANISATION_UPDATED),
    "api_key": (catalog.API_KEY_CREATED, catalog.API_KEY_REVOKED),
    "vendor_name": (catalog.VENDOR_NAME_CONFIRMED, catalog.VENDOR_NAME_DECLINED),
    "webhook_endpoint": (WEBHOOK_ENDPOINT_DISABLED,),
    "quote": (
        licensing.QUOTE_REQUESTED,
        licensing.QUOTE_SENT,
        licensing.QUOTE_ACCEPTED,
        licensing.QUOTE_DECLINED,
        licensing.QUOTE_REJECTED,
    ),
    "order": (
        licensing.ORDER_CREATED,
        licensing.ORDER_PAID,
        licensing.ORDER_CANCELLED,
        licensing.ORDER_REFUNDED,
    ),
    "invoice": (licensing.INVOICE_ISSUED, licensing.INVOICE_OVERDUE),
    "deliverables": (deliverables.DELIVERABLES_READY, deliverables.DELIVERABLES_DAILY_DIGEST),
    "ip_request": (catalog.IP_REQUESTED,),
}


def notice_choices() -> list[str]:
    """Every value a contact's `notices` may hold: "all", each group, each event type."""
    return ["all", *sorted(GROUPS), *(t for types in GROUPS.values() for t in types)]
