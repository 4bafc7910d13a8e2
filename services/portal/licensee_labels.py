"""The licensing service's codes as the licensee's pages name them, in the page's language
(a code without a word here is shown as it is)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

WORDS = {
    "request": {
        "screening": _l("Export screening"),
        "pending_approval": _l("Waiting for the vendor's approval"),
        "approved": _l("Approved: waiting for your order"),
        "rejected": _l("Rejected by the vendor"),
        "denied": _l("Denied at export review"),
        "expired": _l("Expired"),
        "issued": _l("License issued"),
        "cancelled": _l("Cancelled"),
    },
    "screening": {
        "allow": _l("Cleared"),
        "review": _l("Waiting for the platform's export review"),
        "deny": _l("Denied"),
    },
    "quote": {
        "requested": _l("Waiting for the vendor's price"),
        "sent": _l("Priced: waiting for your answer"),
        "accepted": _l("Accepted"),
        "declined": _l("Declined"),
        "rejected": _l("The vendor will not quote"),
    },
    "order": {
        "pending_payment": _l("Waiting for payment"),
        "paid": _l("Paid"),
        "fulfilled": _l("Paid; license issued"),
        "cancelled": _l("Cancelled"),
        "refunded": _l("Refunded"),
    },
    "invoice": {"open": _l("Open"), "paid": _l("Paid"), "void": _l("Void")},
    "license": {
        "active": _l("Active"),
        "suspended": _l("Suspended"),
        "revoked": _l("Revoked"),
        "expired": _l("Expired"),
    },
    "decision": {
        "review_allow": _l("Export review: allowed"),
        "review_deny": _l("Export review: denied"),
        "approved": _l("Vendor: approved"),
        "rejected": _l("Vendor: rejected"),
    },
    "scope": {
        "evaluation": _l("Evaluation"),
        "multi_project": _l("Any project"),
        "project": _l("One project"),
    },
}


def word(kind: str, code: str | None) -> str:
    if code is None:
        return ""
    return str(WORDS.get(kind, {}).get(code, code))
