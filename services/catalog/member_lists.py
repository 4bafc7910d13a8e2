"""Reading an organisation's people: its members with their roles and whether they have a second
factor, and the invitations still open. For the organisation's own members and the operator; to
anyone else the organisation does not exist."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.catalog.domain.list_cursor import PageRequest
from services.catalog.domain.people import Actor
from services.catalog.list_pages import page_of
from services.catalog.models import Organisation
from services.catalog.people_models import Invitation, Membership, Passkey, Person, TotpSecret
from shared.errors import NotFound


def _check_reader(session: Session, actor: Actor, organisation_id: str) -> None:
    if session.get(Organisation, organisation_id) is None or not (
        actor.is_member(organisation_id) or actor.may("people.manage")
    ):
        raise NotFound(f"organisation {organisation_id} does not exist")


def list_members(
    session: Session, actor: Actor, organisation_id: str, page: PageRequest
) -> tuple[list[dict], str | None]:
    """A page of the organisation's members, oldest membership first."""
    _check_reader(session, actor, organisation_id)
    memberships, next_cursor = page_of(
        session,
        sa.select(Membership).where(Membership.organisation_id == organisation_id),
        Membership,
        page,
    )
    ids = [m.person_id for m in memberships]
    people = {p.id: p for p in session.scalars(sa.select(Person).where(Person.id.in_(ids)))}
    with_second_factor = set(
        session.scalars(
            sa.select(TotpSecret.person_id).where(
                TotpSecret.person_id.in_(ids), TotpSecret.confirmed_at.is_not(None)
            )
        )
    ) | set(session.scalars(sa.select(Passkey.person_id).where(Passkey.person_id.in_(ids))))
    items = [
        {
            "person_id": m.person_id,
            "organisation_id": organisation_id,
            "name_en": people[m.person_id].name_en,
            "name_zh": people[m.person_id].name_zh,
            "email": people[m.person_id].email,
            "roles": list(m.roles),
            "joined_at": m.created_at,
            "has_second_factor": m.person_id in with_second_factor,
        }
        for m in memberships
    ]
    return items, next_cursor


def list_open_invitations(
    session: Session, actor: Actor, organisation_id: str, page: PageRequest, now: datetime
) -> tuple[list[Invitation], str | None]:
    """A page of the invitations neither accepted, withdrawn nor expired, oldest first."""
    _check_reader(session, actor, organisation_id)
    return page_of(
        session,
        sa.select(Invitation).where(
            Invitation.organisation_id == organisation_id,
            Invitation.accepted_at.is_(None),
            Invitation.withdrawn_at.is_(None),
            Invitation.expires_at > now,
        ),
        Invitation,
        page,
    )
