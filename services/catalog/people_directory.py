"""The operator's view of people over HTTP (/v1/people): everyone a page at a time (by e-mail
address or platform role), one person with their memberships, and their platform roles
changed — by the same use case as `ipmarket people platform-roles`, audited with the operator
as its actor."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.catalog import second_factor
from services.catalog.domain.list_cursor import FIRST_PAGE, PageRequest
from services.catalog.domain.people import Actor, email_key
from services.catalog.list_pages import page_of
from services.catalog.models import Organisation
from services.catalog.people_admin import audit, change_platform_roles
from services.catalog.people_models import Membership, Person
from services.catalog.records import SqlRecords
from services.catalog.unit_of_work import CatalogWork, catalog_work
from shared.errors import Forbidden, NotFound
from shared.messaging.unit_of_work import UnitOfWork


def list_people(
    session: Session,
    page: PageRequest = FIRST_PAGE,
    email: str | None = None,
    platform_role: str | None = None,
) -> tuple[list[dict], str | None]:
    """A page of people, oldest first; `email`: whose address contains it (any case),
    `platform_role`: who holds it."""
    query = sa.select(Person)
    if email:
        query = query.where(Person.email_key.contains(email_key(email), autoescape=True))
    if platform_role:
        # JSON list of names: its text holds the quoted name (alike on SQLite and PostgreSQL)
        query = query.where(sa.cast(Person.platform_roles, sa.String).like(f'%"{platform_role}"%'))
    people, next_cursor = page_of(session, query, Person, page)
    held = _memberships(session, [p.id for p in people])
    return [_summary(session, p, held.get(p.id, [])) for p in people], next_cursor


def get_person(session: Session, person_id: str) -> dict:
    """One person with their memberships (each with the organisation's names and kinds)."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"person {person_id} does not exist")
    return _summary(session, person, _memberships(session, [person.id]).get(person.id, []))


def set_platform_roles(
    uow: UnitOfWork | CatalogWork, actor: Actor, person_id: str, platform_roles: list[str]
) -> Person:
    """An operator sets the person's platform roles (the last operator stays one: 409)."""
    if actor.person_id is None or not actor.may("people.manage"):
        raise Forbidden("changing platform roles needs a signed-in operator")
    work = catalog_work(uow)
    person = work.records.person(person_id)
    if person is None:
        raise NotFound(f"person {person_id} does not exist")
    person, before = change_platform_roles(work, person, platform_roles)
    audit(
        work,
        f"person:{actor.person_id}",
        "people.platform_roles",
        person.email,
        {"before": before, "after": list(person.platform_roles)},
    )
    return person


def _memberships(session: Session, person_ids: list[str]) -> dict[str, list[dict]]:
    rows = session.execute(
        sa.select(Membership, Organisation)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.person_id.in_(person_ids))
        .order_by(Membership.created_at)
    )
    held: dict[str, list[dict]] = {}
    for membership, organisation in rows:
        held.setdefault(membership.person_id, []).append(
            {
                "organisation_id": organisation.id,
                "legal_name_en": organisation.legal_name_en,
                "legal_name_zh": organisation.legal_name_zh,
                "kinds": list(organisation.roles),
                "roles": list(membership.roles),
            }
        )
    return held


def _summary(session: Session, person: Person, memberships: list[dict]) -> dict:
    return {
        "person_id": person.id,
        "email": person.email,
        "name_en": person.name_en,
        "name_zh": person.name_zh,
        "locale": person.locale,
        "timezone": person.timezone,
        "platform_roles": list(person.platform_roles),
        "disabled": person.disabled_at is not None,
        "second_factor": second_factor.in_force(SqlRecords(session), person.id),
        "created_at": person.created_at,
        "memberships": memberships,
    }
