"""Roles of people (and, as scopes, of API keys) and what each role may do.

A member's roles hold in one organisation; the platform roles hold across the platform. The
table below is the one rule every service honours: each endpoint names its action
(`requires(..., action=...)` in shared/http/auth.py), and a request passes when its roles or
scopes meet the action's.
"""

from __future__ import annotations

from collections.abc import Iterable

OWNER, PUBLISHER, APPROVER, BUYER, FINANCE, VIEWER = (
    "owner",
    "publisher",
    "approver",
    "buyer",
    "finance",
    "viewer",
)
OPERATOR, EXPORT_REVIEWER = "operator", "export_reviewer"

ORGANISATION_ROLES = (OWNER, PUBLISHER, APPROVER, BUYER, FINANCE, VIEWER)
PLATFORM_ROLES = (OPERATOR, EXPORT_REVIEWER)
# What an API key may be scoped to: member roles, and platform roles for the platform's own keys.
KEY_SCOPES = ORGANISATION_ROLES + PLATFORM_ROLES

# action → the roles that may take it. An owner may do all its organisation may do (it could
# grant itself any role anyway); the viewer reads only (its actions are the `.read…` ones).
# Platform actions need a platform role. Every authenticated endpoint of every service names one
# (tests/integration/roles/ checks each endpoint's boundary); public endpoints need none.
_EVERY_MEMBER = frozenset(ORGANISATION_ROLES)
_VENDOR_DECIDES = frozenset({OWNER, APPROVER})
_PUBLISHES = frozenset({OWNER, PUBLISHER})
_BUYS = frozenset({OWNER, BUYER})
_PAYS = frozenset({OWNER, FINANCE})
ACTIONS: dict[str, frozenset[str]] = {
    # the organisation and its people
    "organisation.read": _EVERY_MEMBER,
    "organisation.change": frozenset({OWNER}),
    "members.read": _EVERY_MEMBER,
    "members.invite": frozenset({OWNER}),
    "members.change_roles": frozenset({OWNER}),
    "members.remove": frozenset({OWNER}),
    "api_keys.read": frozenset({OWNER, VIEWER}),
    "api_keys.manage": frozenset({OWNER}),
    # a vendor's catalogue
    "cores.read_drafts": frozenset({OWNER, PUBLISHER, APPROVER, VIEWER}),
    "cores.change": _PUBLISHES,
    "cores.publish": _PUBLISHES,
    "offers.change": _PUBLISHES,
    "deliverables.upload": _PUBLISHES,
    # a licensee's copy of the IP (an audited, fingerprinted copy, not a read of a record): its
    # owner and buyers, who obtain its licenses; a fetch script's key is scoped `buyer`
    "deliverables.download": _BUYS,
    "vendor_names.read": _EVERY_MEMBER,
    "vendor_names.claim": _PUBLISHES,
    # licensing, both sides
    "license_requests.read": _EVERY_MEMBER,
    "licenses.read": _EVERY_MEMBER,
    "quotes.read": _EVERY_MEMBER,
    "orders.read": _EVERY_MEMBER,
    "audit.read": _EVERY_MEMBER,
    # licensing, vendor side
    "license_requests.decide": _VENDOR_DECIDES,
    "quotes.decide": _VENDOR_DECIDES,
    "licenses.revoke": _VENDOR_DECIDES,
    "licenses.suspend": _VENDOR_DECIDES,
    "licenses.renew": _VENDOR_DECIDES,
    # licensing, licensee side
    "license_requests.create": _BUYS,
    "quotes.request": _BUYS,
    "quotes.accept": _BUYS,
    "orders.place": _BUYS,
    "orders.cancel": frozenset({OWNER, BUYER, APPROVER}),
    # money
    "invoices.read": frozenset({OWNER, FINANCE, VIEWER}),
    "payments.record": _PAYS,
    "refunds.issue": _PAYS,
    # notices
    "deliveries.read": _EVERY_MEMBER,
    "webhooks.read": frozenset({OWNER, VIEWER}),
    "webhooks.manage": frozenset({OWNER}),
    "notices.read_preferences": _EVERY_MEMBER,
    "notices.preferences": frozenset({OWNER}),
    "watches.read": _EVERY_MEMBER,
    "watches.change": _BUYS,
    # the platform
    "organisations.register": frozenset({OPERATOR}),
    "organisations.read_all": frozenset({OPERATOR}),
    "organisations.decide": frozenset({OPERATOR}),
    "vendor_names.read_all": frozenset({OPERATOR}),
    "vendor_names.decide": frozenset({OPERATOR}),
    "people.manage": frozenset({OPERATOR}),
    "rule_sets.read": frozenset({OPERATOR, EXPORT_REVIEWER}),
    "rule_sets.change": frozenset({OPERATOR}),
    "export.review": frozenset({EXPORT_REVIEWER}),
    "dead_letters.manage": frozenset({OPERATOR}),
    "metrics.read": frozenset({OPERATOR}),
}


def is_read(action: str) -> bool:
    """Whether the action only reads (`….read`, `….read_…`): the viewer's kind of action."""
    return action.partition(".")[2].startswith("read")


class UnknownRole(ValueError):
    def __init__(self, role: str, allowed: Iterable[str]):
        super().__init__(f"{role!r} is not a role: one of {', '.join(allowed)}")
        self.role = role


def checked_roles(roles: Iterable[str], *, platform: bool = False) -> list[str]:
    """The roles, sorted and without repeats; organisation roles only unless `platform`."""
    allowed = PLATFORM_ROLES if platform else ORGANISATION_ROLES
    roles = list(roles)
    for role in roles:
        if role not in allowed:
            raise UnknownRole(role, allowed)
    return sorted(set(roles))


def may(roles: Iterable[str], action: str) -> bool:
    """Whether any of the roles may take the action. An action not in the table is allowed to
    nobody (a typo fails closed)."""
    return not ACTIONS.get(action, frozenset()).isdisjoint(roles)


def roles_allowed(action: str) -> frozenset[str]:
    """The roles that may take the action (an API key's scopes are checked against it too)."""
    return ACTIONS.get(action, frozenset())
