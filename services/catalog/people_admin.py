"""The operator's hand on people (`ipmarket people …`): list them, disable one (every session
ends with it), remove a second factor. Each change is an event: the audit record, and the news
that reaches the other services."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.catalog import second_factor
from services.catalog.domain.people import email_key
from services.catalog.people import Clock
from services.catalog.people_models import Membership, Person
from services.catalog.records import SqlRecords
from services.catalog.unit_of_work import CatalogWork, catalog_work
from shared.db.schema import utcnow
from shared.errors import NotFound
from shared.events import people as events
from shared.messaging.unit_of_work import UnitOfWork


def list_people(session: Session, organisation_id: str | None = None) -> list[dict]:
    """Everyone (or an organisation's members), with memberships, by e-mail address."""
    query = sa.select(Person).order_by(Person.email_key)
    if organisation_id is not None:
        query = query.join(Membership, Membership.person_id == Person.id).where(
            Membership.organisation_id == organisation_id
        )
    found = []
    for person in session.scalars(query):
        memberships = session.scalars(
            sa.select(Membership).where(Membership.person_id == person.id)
        )
        found.append(
            {
                "person_id": person.id,
                "email": person.email,
                "name_en": person.name_en,
                "name_zh": person.name_zh,
                "platform_roles": list(person.platform_roles),
                "disabled": person.disabled_at is not None,
                "second_factor": second_factor.in_force(SqlRecords(session), person.id),
                "memberships": {m.organisation_id: list(m.roles) for m in memberships},
            }
        )
    return found


def disable_person(uow: UnitOfWork | CatalogWork, email: str, clock: Clock = utcnow) -> Person:
    """The person can no longer sign in; their sessions end at once."""
    work = catalog_work(uow)
    person = _person(work, email)
    if person.disabled_at is None:
        now = clock()
        person.disabled_at = now
        for live in work.records.sessions_of(person.id):
            live.ended_at = now
        work.records.flush()
        work.publish(
            events.PERSON_DISABLED,
            person.id,
            {"person_id": person.id, "disabled_at": now.isoformat()},
        )
    return person


def reset_second_factor(uow: UnitOfWork | CatalogWork, email: str, clock: Clock = utcnow) -> bool:
    """Remove the person's TOTP secret and recovery codes (they set new ones); whether there
    was a second factor."""
    work = catalog_work(uow)
    person = _person(work, email)
    had_one = second_factor.reset(work.records, person.id)
    work.publish(
        events.SECOND_FACTOR_RESET,
        person.id,
        {"person_id": person.id, "reset_at": clock().isoformat()},
    )
    return had_one


def _person(work: CatalogWork, email: str) -> Person:
    person = work.records.person_by_email(email_key(email))
    if person is None:
        raise NotFound(f"nobody has the address {email.strip()}", field="email")
    return person
