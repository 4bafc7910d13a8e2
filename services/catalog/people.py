"""People and who acts: the person accounts (a new member's, an operator's) and the actor an API
key stands for. The use cases of joining are in organisation_applications.py, invitations.py and
memberships.py; the rules in domain/people.py, shared/roles.py and domain/passwords.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from services.catalog.domain.passwords import password_problem
from services.catalog.domain.people import Actor, email_key, email_problem
from services.catalog.password_hashing import hash_password
from services.catalog.people_models import Person
from services.catalog.unit_of_work import CatalogWork, catalog_work
from shared import roles
from shared.db.schema import utcnow
from shared.directory import Principal
from shared.errors import Conflict, Invalid
from shared.events import people as people_events
from shared.messaging.unit_of_work import UnitOfWork

Clock = Callable[[], datetime]


def actor_for_key(principal: Principal) -> Actor:
    """Who acts, as the people use cases see it: a person or an API key, with the roles (or
    scopes) it holds in the organisation the request is for and its platform roles. The
    platform's owners (its unscoped or owner-scoped keys, the owners among its people) act as
    operators, as shared.directory.Principal.may lets them."""
    platform_roles = set(principal.platform_roles)
    if "admin" in principal.roles and roles.OWNER in principal.scopes:
        platform_roles.add(roles.OPERATOR)
    return Actor(
        memberships={principal.organisation_id: principal.scopes} if principal.scopes else {},
        platform_roles=frozenset(platform_roles),
        person_id=principal.person_id,
        key_id=principal.key_id,
    )


def new_person(
    work: CatalogWork,
    email: str,
    name_en: str | None,
    name_zh: str | None,
    password: str | None,
    now: datetime,
    platform_roles: list[str] = (),
) -> Person:
    if not (name_en or "").strip():
        raise Invalid("your name (in English) is required", field="name_en")
    problem = password_problem(password or "", context=(email, name_en, name_zh or ""))
    if problem:
        raise Invalid(problem, field="password")
    person = Person(
        email=email,
        email_key=email_key(email),
        name_en=name_en.strip(),
        name_zh=(name_zh or "").strip() or None,
        platform_roles=list(platform_roles),
        password_hash=hash_password(password),
        email_verified_at=now,
        created_at=now,
    )
    work.records.add(person)
    work.records.flush()
    return person


def set_first_password(person: Person, password: str | None, now: datetime) -> None:
    """The password of an account made without one; the link that brought it proves the
    address."""
    problem = password_problem(
        password or "", context=(person.email, person.name_en, person.name_zh or "")
    )
    if problem:
        raise Invalid(problem, field="password")
    person.password_hash = hash_password(password)
    person.email_verified_at = now


def create_operator(
    uow: UnitOfWork | CatalogWork, email: str, name_en: str, password: str, clock: Clock = utcnow
) -> Person:
    """A platform operator person (`ipmarket admin create`): the first one, or another."""
    check_email(email, "email")
    work = catalog_work(uow)
    if work.records.person_by_email(email_key(email)) is not None:
        raise Conflict(f"{email.strip()} has an account already", field="email")
    now = clock()
    person = new_person(
        work, email.strip(), name_en, None, password, now, platform_roles=[roles.OPERATOR]
    )
    publish_platform_roles(work, person, now)
    return person


def check_email(email: str, field: str) -> None:
    problem = email_problem(email)
    if problem:
        raise Invalid(problem, field=field)


def person_notice(work: CatalogWork, person: Person) -> dict:
    """Who a message about the person's own account goes to (shared/events/people.PersonNotice):
    their language and time zone, else those of their first organisation, else en and UTC."""
    organisations = [
        work.records.organisation(m.organisation_id) for m in work.records.memberships_of(person.id)
    ]
    first = next((org for org in organisations if org is not None), None)
    return {
        "person_id": person.id,
        "email": person.email,
        "name_en": person.name_en,
        "name_zh": person.name_zh,
        "locale": person.locale or (first.locale if first else "en"),
        "timezone": person.timezone or (first.timezone if first else "UTC"),
    }


def platform_roles_state(person: Person, changed_at) -> dict:
    """PLATFORM_ROLES_CHANGED's data: the person's platform roles now, and how to write to
    them (notify tells the export reviewers by it)."""
    return {
        "person_id": person.id,
        "name_en": person.name_en,
        "name_zh": person.name_zh,
        "email": person.email,
        "locale": person.locale,
        "timezone": person.timezone,
        "platform_roles": sorted(set(person.platform_roles), key=roles.PLATFORM_ROLES.index),
        "changed_at": changed_at.isoformat(),
    }


def publish_platform_roles(work: CatalogWork, person: Person, changed_at) -> None:
    work.publish(
        people_events.PLATFORM_ROLES_CHANGED, person.id, platform_roles_state(person, changed_at)
    )
