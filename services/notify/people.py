"""Notify's addresses of the catalog's people (shared/events/people.py), kept beside the people
directory that checks their tokens (shared/people_directory.py) to address notices to people by
their role, and the lookup of the people a notice is for.

The events of one organisation's members share its partition, so they arrive in order; a
person's own events (disabled) may overtake a membership's, which the projection tolerates: a
disabled person stays disabled whatever joins later, and a membership removed before it was
seen is simply never there.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.notify.domain.routing import PersonRoute, RoleAudience
from services.notify.models import (
    KnownMembership,
    KnownOrganisation,
    KnownPerson,
    KnownPlatformRoles,
)
from shared.events import Event
from shared.events import people as events


def apply_member_joined(event: Event, session: Session) -> None:
    """The person's address and settings (the people directory has already made the person
    and the membership: shared/people_directory.py)."""
    data = event.data
    person = session.get(KnownPerson, data["person_id"])
    person.email = data["email"]
    _settings(person, data, data["joined_at"])
    # A change of platform roles (keyed by person) may overtake a join (keyed by organisation):
    # once one is known, it rules.
    if session.get(KnownPlatformRoles, data["person_id"]) is None:
        person.platform_roles = " ".join(sorted(data["platform_roles"]))
    person.home_organisation_id = data["organisation_id"]


def apply_platform_roles_changed(event: Event, session: Session) -> None:
    """How to write to a platform person (an export reviewer may have no membership), from
    the latest change of their platform roles (the people directory has kept it)."""
    data = event.data
    held = session.get(KnownPlatformRoles, data["person_id"])
    if held is None or held.changed_at > datetime.fromisoformat(data["changed_at"]):
        return  # an older change arriving late
    person = session.get(KnownPerson, data["person_id"])
    person.email = data["email"]
    _settings(person, data, data["changed_at"])
    person.platform_roles = " ".join(sorted(data["platform_roles"]))
    # Without a membership their home stays None: the platform's organisation frames their
    # messages, found when one is written (see _home_organisation).


def apply_settings_changed(event: Event, session: Session) -> None:
    """The person's own language and time zone, unless a later choice is held already (the
    same event twice changes nothing)."""
    data = event.data
    person = session.get(KnownPerson, data["person_id"], with_for_update=True)
    if person is None:  # settings before any join or platform role: kept for when they come
        person = KnownPerson(person_id=data["person_id"], name_en=None, name_zh=None)
        session.add(person)
    changed_at = datetime.fromisoformat(data["changed_at"])
    if person.settings_changed_at is None or person.settings_changed_at <= changed_at:
        person.locale, person.timezone = data["locale"], data["timezone"]
        person.settings_changed_at = changed_at


def _settings(person: KnownPerson, data: dict, announced_at: str) -> None:
    """The settings a join or a change of platform roles carries, unless the person chose
    theirs after it was announced (SETTINGS_CHANGED may overtake it: keyed by person)."""
    chosen_at = person.settings_changed_at
    if chosen_at is None or chosen_at <= datetime.fromisoformat(announced_at):
        person.locale, person.timezone = data["locale"], data["timezone"]


# Applied after the people directory's own handler of the same event, if it has one
# (services/notify/handlers).
PROJECTIONS = {
    events.MEMBER_JOINED: apply_member_joined,
    events.PLATFORM_ROLES_CHANGED: apply_platform_roles_changed,
    events.SETTINGS_CHANGED: apply_settings_changed,
}


# --- whom to write to ---------------------------------------------------------------------------


def people_for(session: Session, audiences: list[RoleAudience]) -> list[PersonRoute]:
    """The enabled people holding one of each audience's roles, each in their own language and
    time zone (or their organisation's). One query per audience; most events have none."""
    found = []
    for audience in audiences:
        if audience.organisation_id is None:
            # People with a platform role are few: read them all, then filter.
            rows = session.execute(
                _people(_home_organisation()).where(
                    KnownPerson.platform_roles != "", KnownPerson.disabled_at.is_(None)
                )
            )
            found += [
                _route(row, row.home_organisation_id)
                for row in rows
                if audience.roles & set(row.platform_roles.split())
            ]
        else:
            rows = session.execute(
                _people(KnownMembership.organisation_id, KnownMembership.roles).where(
                    KnownMembership.organisation_id == audience.organisation_id,
                    KnownPerson.disabled_at.is_(None),
                )
            )
            found += [
                _route(row, audience.organisation_id)
                for row in rows
                if audience.roles & set(row.roles)
            ]
    return found


def person_route(session: Session, person_id: str) -> PersonRoute | None:
    """How to write to one person about their own account (None: unknown here)."""
    row = session.execute(
        _people(_home_organisation()).where(
            KnownPerson.person_id == person_id, KnownPerson.email.is_not(None)
        )
    ).first()
    return _route(row, row.home_organisation_id) if row is not None else None


def _people(organisation_id, *membership_columns):
    """The people's addresses and settings, with those of the organisation `organisation_id`
    (a column) names, which frames the message; with `membership_columns`, one row per
    membership."""
    query = sa.select(
        KnownPerson.email,
        KnownPerson.name_en,
        KnownPerson.name_zh,
        KnownPerson.locale,
        KnownPerson.timezone,
        KnownPerson.platform_roles,
        _home_organisation().label("home_organisation_id"),
        KnownOrganisation.locale.label("organisation_locale"),
        KnownOrganisation.timezone.label("organisation_timezone"),
        *membership_columns,
    ).select_from(KnownPerson)
    if membership_columns:
        query = query.join(KnownMembership, KnownMembership.person_id == KnownPerson.person_id)
    return query.outerjoin(KnownOrganisation, KnownOrganisation.organisation_id == organisation_id)


def _home_organisation():
    """The organisation that frames a person's messages: the one they joined, else (a platform
    person of no organisation) the platform's own. Found as a message is written rather than
    when their roles arrive: the roles (keyed by person) may overtake the platform's
    registration (keyed by organisation), and a message framed by no organisation cannot be
    written at all."""
    platform = (
        sa.select(KnownOrganisation.organisation_id)
        .where(sa.cast(KnownOrganisation.roles, sa.String).like('%"admin"%'))
        .order_by(KnownOrganisation.organisation_id)
        .limit(1)
        .scalar_subquery()
    )
    return sa.func.coalesce(KnownPerson.home_organisation_id, platform)


def _route(row, organisation_id: str) -> PersonRoute:
    # A person without their own settings reads as their (home) organisation does.
    locale = row.locale or row.organisation_locale or "en"
    name = row.name_zh if locale.startswith("zh") and row.name_zh else row.name_en
    return PersonRoute(
        organisation_id,
        row.email,
        name,
        locale,
        row.timezone or row.organisation_timezone or "UTC",
    )
