"""Password reset by e-mail: anyone may ask for an address (the answer is always the same);
an account's owner gets a link (PASSWORD_RESET_REQUESTED, notify writes the e-mail) whose token
sets a new password once, within an hour, and ends every session of the person.

Single use without a table: the token's subject is the person and a fingerprint of the password
hash they had when it was asked for; setting a password changes the hash, so the link (and any
other sent before) stops working."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from services.catalog import sessions
from services.catalog.domain import one_time_tokens
from services.catalog.domain import sign_in_throttle as throttle
from services.catalog.domain.passwords import password_problem
from services.catalog.domain.people import email_key
from services.catalog.password_hashing import hash_password
from services.catalog.people import Clock, person_notice
from services.catalog.people_models import Person
from services.catalog.sign_in import forget_failures
from services.catalog.unit_of_work import CatalogWork, catalog_work
from shared.db.schema import utcnow
from shared.errors import Invalid
from shared.events import people as events
from shared.messaging.unit_of_work import UnitOfWork

PASSWORD_RESET = "password_reset"  # the purpose of a reset link's token
LINK_LIFETIME = timedelta(hours=1)
USED = "this reset link has been used or replaced; ask for a new one"


def request_password_reset(uow: UnitOfWork | CatalogWork, email: str, clock: Clock = utcnow):
    """E-mail a reset link if the address has an enabled account; nothing otherwise. The
    caller answers the same either way."""
    work = catalog_work(uow)
    person = work.records.person_by_email(email_key(email))
    if person is None or person.disabled_at is not None:
        return
    now = clock()
    expires_at = now + LINK_LIFETIME
    token = one_time_tokens.sign(
        work.records.link_key(), PASSWORD_RESET, f"{person.id}:{_fingerprint(person)}", expires_at
    )
    work.publish(
        events.PASSWORD_RESET_REQUESTED,
        person.id,
        person_notice(work, person) | {"link_token": token, "expires_at": expires_at.isoformat()},
    )


def reset_password(
    uow: UnitOfWork | CatalogWork, token: str, new_password: str, clock: Clock = utcnow
) -> Person:
    """Set the new password (the rules of domain/passwords.py) with a reset link's token; every
    session of the person ends (SESSION_ENDED each), and the account's failed sign-ins are
    forgotten."""
    work = catalog_work(uow)
    now = clock()
    try:
        subject = one_time_tokens.verify(work.records.link_key(), token, PASSWORD_RESET, now)
    except one_time_tokens.BadToken as error:
        raise Invalid(str(error), field="token") from None
    person_id, _, fingerprint = subject.partition(":")
    person = work.records.person(person_id)
    if person is None or person.disabled_at is not None or fingerprint != _fingerprint(person):
        raise Invalid(USED, field="token")
    problem = password_problem(
        new_password, context=(person.email, person.name_en, person.name_zh or "")
    )
    if problem:
        raise Invalid(problem, field="password")
    person.password_hash = hash_password(new_password)
    for live in work.records.sessions_of(person.id):
        sessions.end_session(work, live, now)
    forget_failures(work, [throttle.account_bucket(person.email_key)])
    work.records.flush()
    return person


def _fingerprint(person: Person) -> str:
    return hashlib.sha256((person.password_hash or "").encode()).hexdigest()[:24]
