"""A signed-in person's own account: who they are with their memberships (what the portal
shows), their open sessions, and ending one of them or all the others. Each takes a unit of
work and the person's id. A person sets up TOTP here too (not only when signing in must
have it). The sessions end through sessions.end_sessions, which tells every
service (SESSION_ENDED)."""

from __future__ import annotations

from services.catalog import second_factor, sessions
from services.catalog.domain.people import Actor, settings_problem
from services.catalog.people_admin import audit
from services.catalog.unit_of_work import CatalogWork, catalog_work
from shared.db.schema import utcnow
from shared.errors import Conflict, Invalid, NotFound
from shared.events import people as people_events
from shared.messaging.unit_of_work import UnitOfWork


def account(uow: UnitOfWork | CatalogWork, person_id: str) -> dict:
    work = catalog_work(uow)
    person = work.records.person(person_id)
    if person is None:
        raise NotFound(f"person {person_id} does not exist")
    memberships = []
    for membership in work.records.memberships_of(person_id):
        organisation = work.records.organisation(membership.organisation_id)
        memberships.append(
            {
                "organisation_id": membership.organisation_id,
                "legal_name_en": organisation.legal_name_en,
                "legal_name_zh": organisation.legal_name_zh,
                "kinds": list(organisation.roles),
                "roles": list(membership.roles),
                "timezone": organisation.timezone,
            }
        )
    return {
        "person_id": person.id,
        "email": person.email,
        "name_en": person.name_en,
        "name_zh": person.name_zh,
        "locale": person.locale,
        "timezone": person.timezone,
        "platform_roles": list(person.platform_roles),
        "memberships": memberships,
    }


def open_sessions(uow: UnitOfWork | CatalogWork, person_id: str, current: str | None) -> list:
    return [
        {
            "session_id": s.id,
            "user_agent": s.user_agent,
            "client_address": s.client_address,
            "created_at": s.created_at,
            "last_seen_at": s.last_seen_at,
            "current": s.id == current,
        }
        for s in sessions.list_sessions(uow, Actor(person_id=person_id))
        if s.ended_at is None
    ]


def end_session(uow: UnitOfWork | CatalogWork, person_id: str, session_id: str) -> int:
    """End one of the person's own sessions (another person's is not found)."""
    return sessions.end_sessions(uow, Actor(person_id=person_id), session_id=session_id)


def end_other_sessions(uow: UnitOfWork | CatalogWork, person_id: str, current: str) -> int:
    """Sign out everywhere else: every session of the person but the one asking."""
    return sessions.end_sessions(uow, Actor(person_id=person_id), keep=current)


def start_second_factor(uow: UnitOfWork | CatalogWork, person_id: str, clock=utcnow) -> str:
    """A new TOTP secret for the signed-in person: its otpauth:// URI for the authenticator's
    QR code, in force once a first code confirms it. One in force already is kept (an operator
    resets a lost one: `ipmarket people reset-second-factor`)."""
    work = catalog_work(uow)
    totp = work.records.totp(person_id)
    if totp is not None and totp.confirmed_at is not None:
        raise Conflict("an authenticator app is set up already")
    person = work.records.person(person_id)
    return second_factor.enrol(work.records, person.id, person.email, clock())


def confirm_second_factor(
    uow: UnitOfWork | CatalogWork, person_id: str, code: str, clock=utcnow
) -> list[str]:
    """The first code from the authenticator puts the secret in force; the ten recovery codes,
    shown once. From the next sign-in on, a code is asked for."""
    codes = second_factor.confirm(catalog_work(uow).records, person_id, code, clock())
    if codes is None:
        raise Invalid("the code is wrong: check the authenticator's clock", field="code")
    return codes


def change_settings(
    uow: UnitOfWork | CatalogWork, person_id: str, settings: dict, clock=utcnow
) -> dict:
    """The person's own language and/or time zone (those given; None: the organisation's).
    Every service hears of it (SETTINGS_CHANGED): notify writes to them so from now on. The
    people audit records the change with the person as its actor. Returns the account."""
    problem = settings_problem(settings)
    if problem is not None:
        raise Invalid(problem[1], field=problem[0])
    work = catalog_work(uow)
    person = work.records.person(person_id)
    if person is None:
        raise NotFound(f"person {person_id} does not exist")
    before = {"locale": person.locale, "timezone": person.timezone}
    after = before | {k: settings[k] for k in ("locale", "timezone") if k in settings}
    if after != before:
        now = clock()
        person.locale, person.timezone = after["locale"], after["timezone"]
        work.records.flush()
        work.publish(
            people_events.SETTINGS_CHANGED,
            person.id,
            {"person_id": person.id, **after, "changed_at": now.isoformat()},
        )
        audit(
            work,
            f"person:{person.id}",
            "people.settings",
            person.email,
            {"before": before, "after": after},
            clock=lambda: now,
        )
    return account(work, person_id)
