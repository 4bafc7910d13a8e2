"""Notify's projection of the catalog's people and memberships (shared/events/people.py), kept
to address notices to people by their role, and the lookup of the people a notice is for.

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
from services.notify.models import KnownMembership, KnownOrganisation, KnownPerson
from shared.events import Event
from shared.events import people as events


def apply_member_joined(event: Event, session: Session) -> None:
    data = event.data
    person = session.get(KnownPerson, data["person_id"])
    if person is None:
        person = KnownPerson(person_id=data["person_id"])
        session.add(person)
    person.email, person.name_en, person.name_zh = data["email"], data["name_en"], data["name_zh"]
    person.locale, person.timezone = data["locale"], data["timezone"]
    person.platform_roles = " ".join(sorted(data["platform_roles"]))
    person.home_organisation_id = data["organisation_id"]
    _set_roles(session, data["person_id"], data["organisation_id"], data["roles"])


def apply_member_roles_changed(event: Event, session: Session) -> None:
    data = event.data
    if session.get(KnownPerson, data["person_id"]) is not None:
        _set_roles(session, data["person_id"], data["organisation_id"], data["roles"])


def apply_member_removed(event: Event, session: Session) -> None:
    membership = session.get(
        KnownMembership, (event.data["organisation_id"], event.data["person_id"])
    )
    if membership is not None:
        session.delete(membership)


def apply_person_disabled(event: Event, session: Session) -> None:
    person = session.get(KnownPerson, event.data["person_id"])
    if person is not None and person.disabled_at is None:
        person.disabled_at = datetime.fromisoformat(event.data["disabled_at"])


PROJECTIONS = {
    events.MEMBER_JOINED: apply_member_joined,
    events.MEMBER_ROLES_CHANGED: apply_member_roles_changed,
    events.MEMBER_REMOVED: apply_member_removed,
    events.PERSON_DISABLED: apply_person_disabled,
}


def _set_roles(session: Session, person_id: str, organisation_id: str, roles: list[str]) -> None:
    membership = session.get(KnownMembership, (organisation_id, person_id))
    if membership is None:
        membership = KnownMembership(organisation_id=organisation_id, person_id=person_id)
        session.add(membership)
    membership.roles = list(roles)


# --- whom to write to ---------------------------------------------------------------------------


def people_for(session: Session, audiences: list[RoleAudience]) -> list[PersonRoute]:
    """The enabled people holding one of each audience's roles, each in their own language and
    time zone (or their organisation's). One query per audience; most events have none."""
    found = []
    for audience in audiences:
        if audience.organisation_id is None:
            # People with a platform role are few: read them all, then filter.
            rows = session.execute(
                _people(KnownPerson.home_organisation_id).where(
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
        _people(KnownPerson.home_organisation_id).where(KnownPerson.person_id == person_id)
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
        KnownPerson.home_organisation_id,
        KnownOrganisation.locale.label("organisation_locale"),
        KnownOrganisation.timezone.label("organisation_timezone"),
        *membership_columns,
    ).select_from(KnownPerson)
    if membership_columns:
        query = query.join(KnownMembership, KnownMembership.person_id == KnownPerson.person_id)
    return query.outerjoin(KnownOrganisation, KnownOrganisation.organisation_id == organisation_id)


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
