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

# action → the roles that may take it. An owner may do all its organisation may do (it could
# grant itself any role anyway); the viewer reads only. Platform actions need a platform role.
_EVERY_MEMBER = frozenset(ORGANISATION_ROLES)
ACTIONS: dict[str, frozenset[str]] = {
    # the organisation and its people
    "organisation.read": _EVERY_MEMBER,
    "organisation.change": frozenset({OWNER}),
    "members.read": _EVERY_MEMBER,
    "members.invite": frozenset({OWNER}),
    "members.change_roles": frozenset({OWNER}),
    "members.remove": frozenset({OWNER}),
    "api_keys.manage": frozenset({OWNER}),
    # a vendor's catalogue
    "cores.read_drafts": frozenset({OWNER, PUBLISHER, APPROVER, VIEWER}),
    "cores.publish": frozenset({OWNER, PUBLISHER}),
    "offers.change": frozenset({OWNER, PUBLISHER}),
    "deliverables.upload": frozenset({OWNER, PUBLISHER}),
    "vendor_names.claim": frozenset({OWNER, PUBLISHER}),
    # licensing, vendor side
    "license_requests.decide": frozenset({OWNER, APPROVER}),
    "quotes.decide": frozenset({OWNER, APPROVER}),
    "licenses.revoke": frozenset({OWNER, APPROVER}),
    # licensing, licensee side
    "license_requests.create": frozenset({OWNER, BUYER}),
    "quotes.request": frozenset({OWNER, BUYER}),
    "orders.place": frozenset({OWNER, BUYER}),
    # money
    "invoices.read": frozenset({OWNER, FINANCE, VIEWER}),
    "payments.record": frozenset({OWNER, FINANCE}),
    "refunds.issue": frozenset({OWNER, FINANCE}),
    # the platform
    "organisations.decide": frozenset({OPERATOR}),
    "vendor_names.decide": frozenset({OPERATOR}),
    "people.manage": frozenset({OPERATOR}),
    "export.review": frozenset({EXPORT_REVIEWER}),
}


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
