"""What the catalog's codes are called on a page, in the page's language. The codes are the
catalog's public vocabulary (GET /v1/cores/taxonomy); a code without a label here is shown as
it is, so that a new one appears before it is translated."""

from __future__ import annotations

import functools

from flask_babel import lazy_gettext as _l

from services.portal import page_translations
from shared import vocabulary

# The facets a search may filter on, in the order the page lists them (the API's parameters).
FACETS = (
    "category",
    "maturity",
    "foundry",
    "node",
    "standard",
    "deliverable",
    "region",
    "price",
    "vendor",
)
SORTS = ("relevance", "newest", "title")

LABELS = {
    "facet": {
        "category": _l("Category"),
        "maturity": _l("Maturity"),
        "foundry": _l("Foundry"),
        "node": _l("Process node"),
        "standard": _l("Standard"),
        "deliverable": _l("Deliverables"),
        "region": _l("Vendor region"),
        "price": _l("Price"),
        "status": _l("Status"),
        "vendor": _l("Vendor"),
    },
    "sort": {
        "relevance": _l("Best match"),
        "newest": _l("Newest"),
        "title": _l("Title"),
    },
    "maturity": {
        "concept": _l("Concept"),
        "fpga_validated": _l("FPGA-validated"),
        "silicon_proven": _l("Silicon-proven"),
        "in_production": _l("In production"),
    },
    "deliverable": {
        "soft_rtl": _l("Soft IP (RTL)"),
        "firm_netlist": _l("Firm IP (netlist)"),
        "hard_macro_gdsii": _l("Hard macro (GDSII)"),
        "testbench": _l("Testbench"),
        "documentation": _l("Documentation"),
    },
    "region": {
        "mainland_china": _l("Mainland China"),
        "hong_kong": _l("Hong Kong"),
        "macau": _l("Macau"),
        "taiwan": _l("Taiwan"),
        "overseas": _l("Overseas"),
    },
    "price": {
        "under_10k": _l("Under US$10,000"),
        "10k_50k": _l("US$10,000–50,000"),
        "50k_250k": _l("US$50,000–250,000"),
        "250k_plus": _l("US$250,000 and more"),
        "on_request": _l("Price on request"),
    },
    "document": {
        "datasheet": _l("Datasheet"),
        "user_guide": _l("User guide"),
        "integration_guide": _l("Integration guide"),
        "release_notes": _l("Release notes"),
        "verification_report": _l("Verification report"),
    },
    "role": {
        "owner": _l("Owner"),
        "publisher": _l("Publisher"),
        "approver": _l("Approver"),
        "buyer": _l("Buyer"),
        "finance": _l("Finance"),
        "viewer": _l("Viewer"),
        "operator": _l("Platform operator"),
        "export_reviewer": _l("Export reviewer"),
    },
    # The vendor workspace's quotes, orders and invoices (services/licensing/domain).
    "vendor_quote_state": {
        "requested": _l("Waiting for your price"),
        "sent": _l("Sent: waiting for the licensee"),
        "accepted": _l("Accepted"),
        "declined": _l("Declined"),
        "rejected": _l("Rejected by you"),
    },
    "vendor_order_state": {
        "pending_payment": _l("Waiting for payment"),
        "paid": _l("Paid"),
        "fulfilled": _l("Paid; license issued"),
        "cancelled": _l("Cancelled"),
        "refunded": _l("Refunded"),
    },
    "vendor_invoice_state": {"open": _l("Open"), "paid": _l("Paid"), "void": _l("Void")},
    "delivery_state": {
        "pending": _l("Being sent"),
        "succeeded": _l("Delivered"),
        "failed": _l("Failed"),
    },
    # The notices an organisation may get (the notify service's event types).
    "notice": {
        "ipmarket.license.requested.v1": _l("A license is requested"),
        "ipmarket.license.approved.v1": _l("A license request is approved"),
        "ipmarket.license.rejected.v1": _l("A license request is rejected"),
        "ipmarket.license.denied.v1": _l("A license request is denied at export review"),
        "ipmarket.license.issued.v1": _l("A license is issued"),
        "ipmarket.license.suspended.v1": _l("A license is suspended"),
        "ipmarket.license.reinstated.v1": _l("A license is reinstated"),
        "ipmarket.license.revoked.v1": _l("A license is revoked"),
        "ipmarket.license.renewed.v1": _l("A license is renewed"),
        "ipmarket.license.expiring.v1": _l("A license expires soon"),
        "ipmarket.license.expired.v1": _l("A license has expired"),
        "ipmarket.core.published.v1": _l("A core is published"),
        "ipmarket.core.updated.v1": _l("A core is updated"),
        "ipmarket.core.deprecated.v1": _l("A core is deprecated"),
        "ipmarket.core.withdrawn.v1": _l("A core is withdrawn"),
        "ipmarket.organisation.registered.v1": _l("The organisation is registered"),
        "ipmarket.organisation.updated.v1": _l("The organisation's profile changes"),
        "ipmarket.api_key.created.v1": _l("An API key is created"),
        "ipmarket.api_key.revoked.v1": _l("An API key is revoked"),
        "ipmarket.vendor_name.confirmed.v1": _l("A vendor name is confirmed"),
        "ipmarket.vendor_name.declined.v1": _l("A vendor name is declined"),
        "ipmarket.webhook_endpoint.disabled.v1": _l("A webhook endpoint is disabled"),
        "ipmarket.quote.requested.v1": _l("A quote is requested"),
        "ipmarket.quote.sent.v1": _l("A quote is sent"),
        "ipmarket.quote.accepted.v1": _l("A quote is accepted"),
        "ipmarket.quote.declined.v1": _l("A quote is declined"),
        "ipmarket.quote.rejected.v1": _l("A vendor rejects a quote request"),
        "ipmarket.order.created.v1": _l("An order is placed"),
        "ipmarket.order.paid.v1": _l("An order is paid"),
        "ipmarket.order.cancelled.v1": _l("An order is cancelled"),
        "ipmarket.order.refunded.v1": _l("An order is refunded"),
        "ipmarket.invoice.issued.v1": _l("An invoice is issued"),
        "ipmarket.invoice.overdue.v1": _l("An invoice is overdue"),
        "ipmarket.ip_request.sent.v1": _l("Someone asks for IP in your category"),
    },
    "screening_outcome": {
        "allow": _l("Allow"),
        "review": _l("Export review"),
        "deny": _l("Deny"),
    },
    "review_decision": {
        "review_allow": _l("Cleared in export review"),
        "review_deny": _l("Denied in export review"),
        "approved": _l("Approved by the vendor"),
        "rejected": _l("Rejected by the vendor"),
    },
    "application_status": {
        "pending": _l("Waiting for a decision"),
        "approved": _l("Approved"),
        "declined": _l("Declined"),
    },
    "organisation_kind": {
        "vendor": _l("Vendor"),
        "licensee": _l("Licensee"),
        "admin": _l("Platform"),
    },
}

# The vocabulary messages name too (offer kinds, reason codes, states): one list for both,
# translated in the shared catalogs the portal loads beside its own.
LABELS.update(
    {
        kind: {code: _l(words) for code, words in codes.items()}
        for kind, codes in vocabulary.KINDS.items()
    }
)


def label(kind: str, code: str | None) -> str:
    """The page's word for a code of the catalog's vocabulary `kind`."""
    if code is None:
        return ""
    return _label(page_translations.locale_name(), kind, code)


# A search page shows about a hundred labels; each lazy string's translation is looked up once
# per language here rather than on every page (bench/portal.py). Unknown codes come from the
# catalog's data, hence the bound.
@functools.lru_cache(maxsize=4096)
def _label(locale: str, kind: str, code: str) -> str:
    """`locale` is the request's: the lazy string below is translated into it."""
    return str(LABELS.get(kind, {}).get(code, code))


class Words(dict):
    """One kind's labels in one language, for a template to index (`words[code]`) rather than
    call label() for each: a search page's cards and facets index these some 150 times, and
    each call from a template goes through Jinja's Context.call. A code without a label is
    shown as it is, None as nothing, as label() does."""

    def __missing__(self, code) -> str:
        return "" if code is None else str(code)


class PageWords(dict):
    """Every kind's Words in one language, built as the page first asks for a kind;
    `chinese` says whether a core's Chinese title is the one to show."""

    def __init__(self, locale: str):
        super().__init__()
        self.chinese = locale.startswith("zh")

    def __missing__(self, kind: str) -> Words:
        found = self[kind] = Words(
            {code: str(words) for code, words in LABELS.get(kind, {}).items()}
        )
        return found


def page_words() -> PageWords:
    """The request's language's labels (label() for every code at once)."""
    return _page_words(page_translations.locale_name())


@functools.lru_cache(maxsize=8)
def _page_words(locale: str) -> PageWords:
    """`locale` is the request's: each kind's lazy strings are translated into it."""
    return PageWords(locale)
