"""Signing in: e-mail and password, then a TOTP code or a recovery code where the person has a
second factor, and failed attempts throttled; the session it opens (refresh and access tokens)
is in sessions.py. Each takes a unit of work; the rules are in domain/sign_in_throttle.py.

No answer tells whether an address has an account: an unknown address, a wrong password and a
disabled person get the same refusal, after the same Argon2id work (password_hashing.DUMMY_HASH),
and every address is throttled alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.catalog import second_factor
from services.catalog.domain import one_time_tokens
from services.catalog.domain import sign_in_throttle as throttle
from services.catalog.domain.people import email_key
from services.catalog.password_hashing import hash_password, needs_rehash, password_matches
from services.catalog.people import Clock
from services.catalog.people_models import Person, SignInThrottle
from services.catalog.sessions import SignedIn, open_session
from services.catalog.unit_of_work import CatalogWork, catalog_work
from shared import roles
from shared.db.schema import utcnow
from shared.errors import DomainError, NotAuthenticated
from shared.messaging.unit_of_work import UnitOfWork

WRONG = "the e-mail address or password is wrong"
SECOND_FACTOR = "second_factor"  # the purpose of the token between password and code
SECOND_FACTOR_SETUP = "second_factor_setup"  # … between password and a first TOTP code
SECOND_FACTOR_WINDOW = timedelta(minutes=5)


class Throttled(DomainError):
    status = 429
    title = "Too many requests"

    def __init__(self, retry_after: int):
        super().__init__(
            f"too many failed sign-ins: try again in {retry_after} s", retry_after=retry_after
        )
        self.retry_after = retry_after


@dataclass
class SecondFactorNeeded:
    """The password was right; a code from the person's authenticator (or a recovery code)
    must follow with this token, within five minutes."""

    second_factor_token: str
    setup: bool = False  # True: the person must first set up a second factor (operators)


def sign_in(
    uow: UnitOfWork | CatalogWork,
    email: str,
    password: str,
    *,
    client_address: str,
    user_agent: str = "",
    device_id: str | None = None,
    clock: Clock = utcnow,
) -> SignedIn | SecondFactorNeeded:
    work = catalog_work(uow)
    now = clock()
    buckets = (throttle.account_bucket(email_key(email)), throttle.address_bucket(client_address))
    refuse_while_blocked(work, buckets, now)
    person = work.records.person_by_email(email_key(email))
    usable = person is not None and person.disabled_at is None
    if not password_matches(person.password_hash if usable else None, password):
        _count_failure(work, buckets, now)
        raise NotAuthenticated(WRONG)
    forget_failures(work, buckets[:1])
    if needs_rehash(person.password_hash):
        person.password_hash = hash_password(password)
    if second_factor.in_force(work.records, person.id):
        return SecondFactorNeeded(
            one_time_tokens.sign(
                work.records.link_key(), SECOND_FACTOR, person.id, now + SECOND_FACTOR_WINDOW
            )
        )
    if must_have_second_factor(work, person):
        return SecondFactorNeeded(
            one_time_tokens.sign(
                work.records.link_key(), SECOND_FACTOR_SETUP, person.id, now + SECOND_FACTOR_WINDOW
            ),
            setup=True,
        )
    return open_session(work, person, client_address, user_agent, now, device_id)


def must_have_second_factor(work: CatalogWork, person: Person) -> bool:
    """Operators always sign in with a second factor; so do the members of an organisation
    whose owner requires it (memberships.require_second_factor)."""
    if roles.OPERATOR in person.platform_roles:
        return True
    return any(
        (org := work.records.organisation(m.organisation_id)) is not None
        and org.requires_second_factor
        for m in work.records.memberships_of(person.id)
    )


def set_up_second_factor(
    uow: UnitOfWork | CatalogWork, setup_token: str, clock: Clock = utcnow
) -> str:
    """A new TOTP secret for the person signing in; its otpauth:// URI (for the QR code)."""
    work = catalog_work(uow)
    person = person_of(work, setup_token, SECOND_FACTOR_SETUP, clock())
    return second_factor.enrol(work.records, person.id, person.email, clock())


def confirm_second_factor(
    uow: UnitOfWork | CatalogWork,
    setup_token: str,
    code: str,
    *,
    client_address: str,
    user_agent: str = "",
    device_id: str | None = None,
    clock: Clock = utcnow,
) -> tuple[SignedIn, list[str]]:
    """The first code from the authenticator puts the secret in force and opens the session;
    the ten recovery codes are returned once."""
    work = catalog_work(uow)
    now = clock()
    person = person_of(work, setup_token, SECOND_FACTOR_SETUP, now)
    codes = second_factor.confirm(work.records, person.id, code, now)
    if codes is None:
        raise NotAuthenticated("the code is wrong: check the authenticator's clock")
    return open_session(work, person, client_address, user_agent, now, device_id), codes


def person_of(work: CatalogWork, token: str, purpose: str, now: datetime) -> Person:
    try:
        person_id = one_time_tokens.verify(work.records.link_key(), token, purpose, now)
    except one_time_tokens.BadToken:
        raise NotAuthenticated("sign in again: the step before the code has expired") from None
    person = work.records.person(person_id)
    if person is None or person.disabled_at is not None:
        raise NotAuthenticated("sign in again: the step before the code has expired")
    return person


def complete_sign_in(
    uow: UnitOfWork | CatalogWork,
    second_factor_token: str,
    code: str,
    *,
    client_address: str,
    user_agent: str = "",
    device_id: str | None = None,
    clock: Clock = utcnow,
) -> SignedIn:
    """The second step: a TOTP code (each works once) or an unused recovery code."""
    work = catalog_work(uow)
    now = clock()
    person = person_of(work, second_factor_token, SECOND_FACTOR, now)
    buckets = (throttle.account_bucket(person.email_key), throttle.address_bucket(client_address))
    refuse_while_blocked(work, buckets, now)
    if not second_factor.accept_code(work.records, person.id, code, now):
        _count_failure(work, buckets, now)
        raise NotAuthenticated("the code is wrong or used already")
    forget_failures(work, buckets[:1])
    return open_session(work, person, client_address, user_agent, now, device_id)


# --- parts ------------------------------------------------------------------------------------


def refuse_while_blocked(work: CatalogWork, buckets, now: datetime) -> None:
    rows = [row for row in map(work.records.throttle, buckets) if row is not None]
    wait = max((throttle.seconds_to_wait(row.blocked_until, now) for row in rows), default=0)
    if wait:
        raise Throttled(wait)


def _count_failure(work: CatalogWork, buckets, now: datetime) -> None:
    for bucket, policy in zip(buckets, (throttle.ACCOUNT, throttle.ADDRESS)):
        row = work.records.throttle(bucket)
        if row is None:
            row = SignInThrottle(bucket=bucket, failures=0, last_failure_at=now)
            work.records.add(row)
            last = None
        else:
            last = row.last_failure_at
        row.failures, row.blocked_until = throttle.after_failure(policy, row.failures, last, now)
        row.last_failure_at = now
    work.records.flush()


def forget_failures(work: CatalogWork, buckets) -> None:
    for bucket in buckets:
        row = work.records.throttle(bucket)
        if row is not None:
            work.records.delete(row)
