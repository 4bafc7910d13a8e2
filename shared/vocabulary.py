"""The marketplace's codes that reach people, as English message ids: offer kinds, export
screening's reason codes, the states of license requests and licenses. The portal's pages and
the notify service's messages both name them through these ids, translated in the shared
catalogs (shared/translations, built by `make portal-translations`), so that a page and an
e-mail never call the same thing by two names. A code without an entry is shown as it is.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the name pybabel extracts by default
    """Marks a message id for extraction; translated where it is shown."""
    return message


OFFER = {
    "evaluation": N_("Evaluation"),
    "single_project": N_("Single project"),
    "multi_project": N_("Multi-project"),
    "perpetual": N_("Perpetual"),
    "royalty_bearing": N_("Royalty-bearing"),
}
# The catalog's categories (GET /v1/cores/taxonomy).
CATEGORY = {
    "processors_controllers": N_("Processors & controllers"),
    "interface_controllers_phys": N_("Interface controllers & PHYs"),
    "memory_controllers_phys": N_("Memory controllers & PHYs"),
    "memories": N_("Memories"),
    "analog_mixed_signal": N_("Analog & mixed-signal"),
    "security_crypto": N_("Security & crypto"),
    "dsp_multimedia": N_("DSP & multimedia"),
    "wireless_rf": N_("Wireless & RF"),
    "foundation_ip": N_("Foundation IP (standard cells, I/O)"),
    "verification_ip": N_("Verification IP"),
    "interconnect_noc": N_("Interconnect & NoC"),
    "ai_accelerators": N_("AI accelerators"),
    "other": N_("Other"),
}
# A core version's state in the catalog.
CORE_STATUS = {
    "draft": N_("Draft"),
    "published": N_("Published"),
    "deprecated": N_("Deprecated"),
    "withdrawn": N_("Withdrawn"),
}
# Export screening's reason codes (licensing's screening and its default rule set): what a
# request was screened to, or why it was denied. An operator's new code shows as it is.
REASON = {
    "ADVANCED_IC_TECHNOLOGY_REVIEW": N_("Advanced IC technology: needs an export review"),
    "CONTROLLED_ITEM_REVIEW": N_("Controlled item: needs an export review"),
    "ENCRYPTION_TECHNOLOGY_REVIEW": N_("Encryption technology: needs an export review"),
    "RESTRICTED_DESTINATION_REVIEW": N_("Restricted destination: needs an export review"),
    "NO_MATCHING_RULE": N_("No screening rule matched: needs an export review"),
    "EAR99_NO_LICENSE_REQUIRED": N_("EAR99: no export license required"),
    "NO_LICENSE_REQUIRED_FOR_DESTINATION": N_("No export license required for this destination"),
    "ENCRYPTION_LICENSE_EXCEPTION": N_("Encryption: allowed under a license exception"),
    "RESTRICTED_DESTINATION_CONTROLLED_ITEM": N_(
        "Controlled item to a restricted destination: denied"
    ),
    "EMBARGOED_DESTINATION": N_("Embargoed destination: denied"),
    "VENDOR_TERRITORY_RESTRICTION": N_("The vendor does not license to this territory"),
    "DENIED_AFTER_REVIEW": N_("Denied after an export review"),
}
# The licensing service's states and decisions (shared/events/licensing.py).
REQUEST_STATE = {
    "screening": N_("Being screened"),
    "pending_approval": N_("Awaiting approval"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "denied": N_("Denied at export review"),
    "expired": N_("Expired"),
    "issued": N_("License issued"),
    "cancelled": N_("Cancelled"),
}
LICENSE_STATE = {
    "active": N_("Active"),
    "suspended": N_("Suspended"),
    "revoked": N_("Revoked"),
    "expired": N_("Expired"),
}
SCREENING = {
    "allow": N_("Cleared"),
    "review": N_("Sent to export review"),
    "deny": N_("Denied"),
}
DECISION = {
    "review_allow": N_("Cleared at export review"),
    "review_deny": N_("Denied at export review"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
}
# By the name the portal's labels use for each vocabulary.
KINDS = {
    "category": CATEGORY,
    "offer": OFFER,
    "status": CORE_STATUS,
    "reason": REASON,
    "request_state": REQUEST_STATE,
    "license_state": LICENSE_STATE,
    "screening": SCREENING,
    "decision": DECISION,
}
