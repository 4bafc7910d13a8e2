"""Where a notice's links lead: the portal page of what it is about, for the side of it the
reader is on (the vendor's workspace or the licensee's pages), below IPMARKET_PORTAL_URL. A
message never links to the API: a person's browser holds no API key, so JSON there answers 401.
"""

from __future__ import annotations

from shared.events import notify

NOTICES_PAGE = "/vendor/notices"  # where an organisation chooses its notices
ACCOUNT_PAGE = "/account"  # an organisation without a vendor workspace: its person's account


def preferences_path(organisation) -> str:
    """The page where the reader's organisation chooses which notices it gets."""
    roles = getattr(organisation, "roles", None) or ()
    return NOTICES_PAGE if "vendor" in roles else ACCOUNT_PAGE


def notice_path(event_type: str, data: dict, organisation) -> str | None:
    """The page of the thing a notice is about, as `organisation` sees it; None: no page."""
    own_id = getattr(organisation, "organisation_id", None)
    vendor_side = own_id is not None and own_id == data.get("vendor_id")
    if event_type.startswith("ipmarket.core.") and data.get("core_id"):
        return f"/cores/{data['core_id']}"
    if "vendor_ids" in data:  # a request for IP: the vendor's workspace (it carries the contact)
        return "/vendor/"
    if event_type == notify.WEBHOOK_ENDPOINT_DISABLED and data.get("endpoint_id"):
        return f"/vendor/webhooks/{data['endpoint_id']}"
    if vendor_side:
        if data.get("license_id"):
            return "/vendor/licenses"
        if data.get("request_id"):
            return "/vendor/requests"
        return "/vendor/"
    if "licensee_id" in data:  # the licensee's own pages
        for field, page in (
            ("license_id", "licenses"),
            ("order_id", "orders"),
            ("quote_id", "quotes"),
            ("request_id", "requests"),
        ):
            if data.get(field):
                return f"/licensee/{page}/{data[field]}"
    return None


def portal_url(base: str, path: str) -> str:
    return f"{base.rstrip('/')}{path}"
