"""An organisation's profile: its region, and what a valid profile is."""

from __future__ import annotations

import functools
from datetime import datetime
from zoneinfo import available_timezones

from shared.errors import Invalid
from shared.events.catalog import LOCALES, ROLES
from shared.events.notices import notice_choices

# Region follows the country: Hong Kong, Macau and Taiwan are their own markets for IP licensing.
REGION_BY_COUNTRY = {"CN": "mainland_china", "HK": "hong_kong", "MO": "macau", "TW": "taiwan"}
# What an organisation may change of its own profile; roles are the platform operator's call.
PROFILE_FIELDS = ("legal_name_en", "legal_name_zh", "country", "locale", "timezone", "contacts")
# A key's last use is written at most this often, so that a busy key does not write every request.
LAST_USED_RESOLUTION_SECONDS = 60


def region_for(country: str) -> str:
    return REGION_BY_COUNTRY.get(country.upper(), "overseas")


def check_profile(*, timezone: str, locale: str, roles: list[str], contacts: list[dict]) -> None:
    if timezone not in _time_zone_set():
        raise Invalid(f"{timezone!r} is not an IANA time zone", field="timezone")
    if locale not in LOCALES:
        raise Invalid(f"locale must be one of {', '.join(LOCALES)}", field="locale")
    if not roles:
        raise Invalid("an organisation needs at least one role", field="roles")
    for i, role in enumerate(roles):
        if role not in ROLES:
            raise Invalid(f"role must be one of {', '.join(ROLES)}", field=f"roles.{i}")
    choices = notice_choices()
    for i, contact in enumerate(contacts):
        for j, notice in enumerate(contact.get("notices", [])):
            if notice not in choices:
                raise Invalid(
                    f"{notice!r} is not a notice: use 'all', a group such as "
                    f"'license' or an event type",
                    field=f"contacts.{i}.notices.{j}",
                )


def last_use_due(now: datetime, last_used_at: datetime | None) -> bool:
    """Whether a key's use at `now` is worth writing down."""
    return (
        last_used_at is None or (now - last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS
    )


@functools.cache
def _time_zone_set() -> frozenset[str]:
    return frozenset(time_zones())


@functools.cache
def time_zones() -> list[str]:
    return sorted(available_timezones())  # reads the tz database: once is enough
