"""People as the directory knows them: who acts (an Actor: a person with memberships, or an
organisation's API key whose roles are its scopes), what an e-mail address is keyed by, and
the rules of applications and invitations."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache

from shared import roles as role_table
from shared.events.catalog import LOCALES

INVITATION_LIFETIME = timedelta(days=7)
APPLICATION_DECISIONS = ("approved", "declined")
ORGANISATION_KINDS = ("vendor", "licensee")
# One @, something either side, a dot in the domain: the address is proven by the e-mail
# that reaches it, not by a pattern.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]+$")


@dataclass(frozen=True)
class Actor:
    """Who takes an action: a person (person_id) or an organisation's API key (key_id), with
    roles per organisation and platform roles."""

    memberships: dict[str, frozenset[str]] = field(default_factory=dict)
    platform_roles: frozenset[str] = frozenset()
    person_id: str | None = None
    key_id: str | None = None

    def may(self, action: str, organisation_id: str | None = None) -> bool:
        """Whether the actor may take `action` for the organisation (None: a platform action).
        The operator may take any organisation's actions as its owner would."""
        if role_table.may(self.platform_roles, action):
            return True
        if role_table.OPERATOR in self.platform_roles and organisation_id is not None:
            return role_table.may([role_table.OWNER], action)
        if organisation_id is None:
            return False
        return role_table.may(self.memberships.get(organisation_id, ()), action)

    def is_member(self, organisation_id: str) -> bool:
        return organisation_id in self.memberships


def email_key(email: str) -> str:
    """What makes two addresses the same account: case-folded, surrounding blanks dropped
    (mailbox names are case-sensitive by RFC 5321 but nobody relies on it)."""
    return email.strip().casefold()


def email_problem(email: str) -> str | None:
    email = email.strip()
    if len(email) > 254 or not _EMAIL.match(email):
        return "not an e-mail address"
    return None


def may_accept(accepted: bool, expired: bool, withdrawn: bool = False) -> str | None:
    """Why an invitation can no longer be accepted, or None."""
    if withdrawn:
        return "the organisation has withdrawn this invitation; ask its owner for a new one"
    if accepted:
        return "the invitation has been accepted already; sign in instead"
    if expired:
        return "the invitation has expired; ask for a new one"
    return None


def may_withdraw(accepted: bool) -> str | None:
    """Why an invitation can no longer be withdrawn, or None (a withdrawn one stays withdrawn)."""
    if accepted:
        return "the invitation has been accepted already; remove the member instead"
    return None


@cache
def time_zone_names() -> frozenset[str]:
    """The IANA time zones a person may choose (the tzdata the interpreter reads)."""
    return frozenset(zoneinfo.available_timezones())


def settings_problem(settings: dict) -> tuple[str, str] | None:
    """(field, why) of the first unacceptable own setting, or None: `locale` one of LOCALES,
    `timezone` an IANA name; either None for the organisation's."""
    locale = settings.get("locale")
    if locale is not None and locale not in LOCALES:
        return "locale", f"not a language: one of {', '.join(LOCALES)}, or null"
    timezone = settings.get("timezone")
    if timezone is not None and timezone not in time_zone_names():
        return "timezone", "not an IANA time zone (such as Asia/Shanghai), or null"
    return None
