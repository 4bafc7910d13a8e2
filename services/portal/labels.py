"""What the catalog's codes are called on a page, in the page's language. The codes are the
catalog's public vocabulary (GET /v1/cores/taxonomy); a code without a label here is shown as
it is, so that a new one appears before it is translated."""

from __future__ import annotations

import functools

from flask_babel import lazy_gettext as _l

from services.portal import page_translations

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
    "category": {
        "processors_controllers": _l("Processors & controllers"),
        "interface_controllers_phys": _l("Interface controllers & PHYs"),
        "memory_controllers_phys": _l("Memory controllers & PHYs"),
        "memories": _l("Memories"),
        "analog_mixed_signal": _l("Analog & mixed-signal"),
        "security_crypto": _l("Security & crypto"),
        "dsp_multimedia": _l("DSP & multimedia"),
        "wireless_rf": _l("Wireless & RF"),
        "foundation_ip": _l("Foundation IP (standard cells, I/O)"),
        "verification_ip": _l("Verification IP"),
        "interconnect_noc": _l("Interconnect & NoC"),
        "ai_accelerators": _l("AI accelerators"),
        "other": _l("Other"),
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
    "status": {
        "draft": _l("Draft"),
        "published": _l("Published"),
        "deprecated": _l("Deprecated"),
        "withdrawn": _l("Withdrawn"),
    },
    "offer": {
        "evaluation": _l("Evaluation"),
        "single_project": _l("Single project"),
        "multi_project": _l("Multi-project"),
        "perpetual": _l("Perpetual"),
        "royalty_bearing": _l("Royalty-bearing"),
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
    # Export screening's reason codes (licensing's screening and its default rule set): what a
    # request was screened to, or why it was denied. An operator's new code shows as it is.
    "reason": {
        "ADVANCED_IC_TECHNOLOGY_REVIEW": _l("Advanced IC technology: needs an export review"),
        "CONTROLLED_ITEM_REVIEW": _l("Controlled item: needs an export review"),
        "ENCRYPTION_TECHNOLOGY_REVIEW": _l("Encryption technology: needs an export review"),
        "RESTRICTED_DESTINATION_REVIEW": _l("Restricted destination: needs an export review"),
        "NO_MATCHING_RULE": _l("No screening rule matched: needs an export review"),
        "EAR99_NO_LICENSE_REQUIRED": _l("EAR99: no export license required"),
        "NO_LICENSE_REQUIRED_FOR_DESTINATION": _l(
            "No export license required for this destination"
        ),
        "ENCRYPTION_LICENSE_EXCEPTION": _l("Encryption: allowed under a license exception"),
        "RESTRICTED_DESTINATION_CONTROLLED_ITEM": _l(
            "Controlled item to a restricted destination: denied"
        ),
        "EMBARGOED_DESTINATION": _l("Embargoed destination: denied"),
        "VENDOR_TERRITORY_RESTRICTION": _l("The vendor does not license to this territory"),
        "DENIED_AFTER_REVIEW": _l("Denied after an export review"),
    },
    # The licensing service's states and decisions (shared/events/licensing.py).
    "request_state": {
        "screening": _l("Being screened"),
        "pending_approval": _l("Awaiting approval"),
        "approved": _l("Approved"),
        "rejected": _l("Rejected"),
        "denied": _l("Denied at export review"),
        "expired": _l("Expired"),
        "issued": _l("License issued"),
        "cancelled": _l("Cancelled"),
    },
    "license_state": {
        "active": _l("Active"),
        "suspended": _l("Suspended"),
        "revoked": _l("Revoked"),
        "expired": _l("Expired"),
    },
    "screening": {
        "allow": _l("Cleared"),
        "review": _l("Sent to export review"),
        "deny": _l("Denied"),
    },
    "delivery_state": {
        "pending": _l("Being sent"),
        "succeeded": _l("Delivered"),
        "failed": _l("Failed"),
    },
    "decision": {
        "review_allow": _l("Cleared at export review"),
        "review_deny": _l("Denied at export review"),
        "approved": _l("Approved"),
        "rejected": _l("Rejected"),
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
        "ipmarket.order.created.v1": _l("An order is placed"),
        "ipmarket.order.paid.v1": _l("An order is paid"),
        "ipmarket.order.cancelled.v1": _l("An order is cancelled"),
        "ipmarket.order.refunded.v1": _l("An order is refunded"),
        "ipmarket.invoice.issued.v1": _l("An invoice is issued"),
        "ipmarket.invoice.overdue.v1": _l("An invoice is overdue"),
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
