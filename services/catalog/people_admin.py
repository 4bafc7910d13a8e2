"""The operator's hand on people (`ipmarket admin create`, `ipmarket people …`): the platform's
first operator (or another), list people, disable one (every session ends with it), remove a
second factor. Each act is a row of the people audit (who ran it, what, to whom); each change is
also an event, the news that reaches the other services."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.catalog import invitations, second_factor
from services.catalog.domain.people import email_key
from services.catalog.memberships import member_state
from services.catalog.models import ApiKey, Organisation
from services.catalog.organisations import create_api_key, register_organisation
from services.catalog.people import Clock, check_email, new_person, publish_platform_roles
from services.catalog.people_models import Membership, PeopleAuditRecord, Person
from services.catalog.records import SqlRecords
from services.catalog.unit_of_work import CatalogWork, catalog_work
from shared import roles
from shared.db.schema import utcnow
from shared.errors import Conflict, Invalid, NotFound
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


def set_platform_roles(
    uow: UnitOfWork | CatalogWork, email: str, platform_roles: list[str], clock: Clock = utcnow
) -> tuple[Person, list[str]]:
    """The person's platform roles are now `platform_roles` (none: a platform person no more);
    every service holds them by the event within seconds. The last operator able to sign in
    stays one: without one nobody could approve an organisation again. Returns the person and
    their roles before."""
    work = catalog_work(uow)
    return change_platform_roles(work, _person(work, email), platform_roles, clock)


def change_platform_roles(
    work: CatalogWork, person: Person, platform_roles: list[str], clock: Clock = utcnow
) -> tuple[Person, list[str]]:
    """set_platform_roles of a person found already (the operator's API finds them by id)."""
    unknown = set(platform_roles) - set(roles.PLATFORM_ROLES)
    if unknown:
        raise Invalid(f"not a platform role: {', '.join(sorted(unknown))}", field="role")
    before = list(person.platform_roles)
    if roles.OPERATOR in before and roles.OPERATOR not in platform_roles:
        others = [
            p for p in work.records.operators() if p.id != person.id and p.disabled_at is None
        ]
        if not others:
            raise Conflict("the platform's last operator stays: make another one first")
    person.platform_roles = sorted(set(platform_roles), key=roles.PLATFORM_ROLES.index)
    work.records.flush()
    publish_platform_roles(work, person, clock())
    return person, before


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


def audit(
    uow: UnitOfWork | CatalogWork,
    actor: str,
    action: str,
    subject: str | None = None,
    detail: dict | None = None,
    clock: Clock = utcnow,
) -> None:
    """One row of the people audit, in the same transaction as the act it records."""
    work = catalog_work(uow)
    work.records.add(
        PeopleAuditRecord(
            at=clock(), actor=actor[:200], action=action, subject=subject, detail=detail or {}
        )
    )
    work.records.flush()


def audit_trail(session: Session, limit: int = 100) -> list[PeopleAuditRecord]:
    """The newest records first."""
    query = sa.select(PeopleAuditRecord).order_by(PeopleAuditRecord.at.desc()).limit(limit)
    return list(session.scalars(query))


@dataclass
class PlatformOperator:
    """What `ipmarket admin create` made: the operator person, the platform's organisation,
    on the first run its first API key (shown once), and with --invite the link token."""

    person: Person
    organisation: Organisation
    api_key: tuple[ApiKey, str] | None
    invitation_token: str | None


def create_platform_operator(
    uow: UnitOfWork | CatalogWork,
    *,
    email: str,
    name_en: str,
    password: str | None,
    another: bool,
    organisation: dict,
    clock: Clock = utcnow,
) -> PlatformOperator:
    """The first run makes the platform's own organisation (role admin), its first API key and
    its first operator person; later runs only with `another` (a second run by mistake must
    not make a second platform). Without a password the person is invited: the link sets it."""
    work = catalog_work(uow)
    check_email(email, "email")
    org = work.records.platform_organisation()
    if org is not None and not another:
        raise Conflict(
            "the platform has its operator already: add one more with --another", field="another"
        )
    if org is None and another:
        raise Conflict("there is no platform operator yet: run it without --another first")
    if work.records.person_by_email(email_key(email)) is not None:
        raise Conflict(f"{email.strip()} has an account already", field="email")
    api_key = None
    if org is None:
        org = register_organisation(work, roles=["admin"], **organisation)
        api_key = create_api_key(work, org.id, "first admin key")
    now = clock()
    token = None
    if password is None:
        person = Person(
            email=email.strip(),
            email_key=email_key(email),
            name_en=name_en.strip(),
            platform_roles=[roles.OPERATOR],
            created_at=now,
        )
        work.records.add(person)
        work.records.flush()
        _, token = invitations.invite(work, org, person.email, [roles.OWNER], None, clock)
        publish_platform_roles(work, person, now)
    else:
        person = new_person(
            work, email.strip(), name_en, None, password, now, platform_roles=[roles.OPERATOR]
        )
        membership = Membership(
            person_id=person.id, organisation_id=org.id, roles=[roles.OWNER], created_at=now
        )
        work.records.add(membership)
        work.records.flush()
        work.publish(events.MEMBER_JOINED, org.id, member_state(person, membership))
        publish_platform_roles(work, person, now)
    return PlatformOperator(person, org, api_key, token)
