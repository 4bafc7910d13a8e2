"""Sessions: one opens at sign-in with a refresh token (shown once; only its hash is kept) and
short-lived access tokens; it is refreshed, listed and ended; the catalog's own check of an
access token. Each takes a unit of work; the rules are in domain/access_tokens.py."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from services.catalog import known_devices
from services.catalog.domain import access_tokens
from services.catalog.domain.people import Actor
from services.catalog.people import Clock
from services.catalog.people_models import Person, PersonSession, TokenKey
from services.catalog.unit_of_work import CatalogWork, catalog_work
from shared.db.schema import utcnow
from shared.errors import NotAuthenticated, NotFound
from shared.events import people as events
from shared.messaging.unit_of_work import UnitOfWork


@dataclass
class SignedIn:
    """A session's credentials: `refresh_token` is shown once; only its hash is kept.
    `device_id`: what the browser keeps to be known next time (known_devices.py)."""

    session: PersonSession
    access_token: str
    refresh_token: str
    device_id: str | None = None


def refresh(uow: UnitOfWork | CatalogWork, refresh_token: str, clock: Clock = utcnow) -> SignedIn:
    """New access and refresh tokens for a live session; the old refresh token stops working
    (a stolen copy used after its owner is refused)."""
    work = catalog_work(uow)
    now = clock()
    session = work.records.session_by_refresh(_hash(refresh_token))
    person = session and work.records.person(session.person_id)
    if session is None or session.ended_at is not None or person.disabled_at is not None:
        raise NotAuthenticated("the session has ended: sign in again")
    token = secrets.token_urlsafe(32)
    session.refresh_hash, session.last_seen_at = _hash(token), now
    work.records.flush()
    return SignedIn(session, _access_token(work, person, session, now), token)


def actor_for_access_token(
    uow: UnitOfWork | CatalogWork, access_token: str, clock: Clock = utcnow
) -> Actor:
    """The catalog's own check: the signature and expiry, then — at once, not at expiry — the
    session live, the person enabled, and the roles as the memberships are now."""
    work = catalog_work(uow)
    now = clock()
    keys = {
        key.kid: Ed25519PrivateKey.from_private_bytes(key.secret).public_key()
        for key in work.records.access_keys()
    }
    claims = access_tokens.read(access_token, keys, now)
    session = work.records.person_session(claims.session_id)
    person = work.records.person(claims.person_id)
    if (
        session is None
        or session.ended_at is not None
        or person is None
        or person.disabled_at is not None
    ):
        raise NotAuthenticated("the session has ended: sign in again")
    return Actor(
        memberships={
            m.organisation_id: frozenset(m.roles) for m in work.records.memberships_of(person.id)
        },
        platform_roles=frozenset(person.platform_roles),
        person_id=person.id,
    )


def list_sessions(uow: UnitOfWork | CatalogWork, actor: Actor) -> list[PersonSession]:
    return catalog_work(uow).records.sessions_of(actor.person_id)


def end_sessions(
    uow: UnitOfWork | CatalogWork,
    actor: Actor,
    *,
    session_id: str | None = None,
    keep: str | None = None,
    clock: Clock = utcnow,
) -> int:
    """End one of the person's sessions (`session_id`), or all but `keep`; how many ended."""
    work = catalog_work(uow)
    records = work.records
    live = records.sessions_of(actor.person_id)
    chosen = (
        [s for s in live if s.id == session_id] if session_id else [s for s in live if s.id != keep]
    )
    if session_id and not chosen:
        raise NotFound(f"session {session_id} does not exist")
    now = clock()
    for session in chosen:
        session.ended_at = now
    records.flush()
    for session in chosen:  # the other services refuse its access tokens on this event
        work.publish(
            events.SESSION_ENDED,
            actor.person_id,
            {"person_id": actor.person_id, "session_id": session.id, "ended_at": now.isoformat()},
        )
    return len(chosen)


def end_session(work: CatalogWork, session: PersonSession, now: datetime) -> None:
    """End one session and tell every service (SESSION_ENDED): its access tokens stop working."""
    session.ended_at = now
    work.publish(
        events.SESSION_ENDED,
        session.person_id,
        {"person_id": session.person_id, "session_id": session.id, "ended_at": now.isoformat()},
    )


def open_session(
    work: CatalogWork,
    person: Person,
    client_address: str,
    user_agent: str,
    now: datetime,
    device_id: str | None = None,
) -> SignedIn:
    """A new session; the device it comes from is recognised or remembered (a new one is news
    to the person)."""
    token = secrets.token_urlsafe(32)
    session = PersonSession(
        person_id=person.id,
        refresh_hash=_hash(token),
        client_address=client_address[:64],
        user_agent=user_agent[:300],
        created_at=now,
        last_seen_at=now,
    )
    work.records.add(session)
    work.records.flush()
    device_id = known_devices.recognise(work, person, session, device_id, now)
    return SignedIn(session, _access_token(work, person, session, now), token, device_id)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _access_token(work: CatalogWork, person: Person, session: PersonSession, now: datetime) -> str:
    key = work.records.access_key() or _new_access_key(work, now)
    return access_tokens.issue(
        Ed25519PrivateKey.from_private_bytes(key.secret),
        key.kid,
        person_id=person.id,
        session_id=session.id,
        name=person.name_zh or person.name_en,
        now=now,
        platform_roles=list(person.platform_roles),
        memberships={
            m.organisation_id: list(m.roles) for m in work.records.memberships_of(person.id)
        },
    )


def _new_access_key(work: CatalogWork, now: datetime) -> TokenKey:
    """The first access-token key, announced so that the other services can verify."""
    private = Ed25519PrivateKey.generate()
    key = TokenKey(
        purpose="access",
        created_at=now,
        secret=private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()),
    )
    work.records.add(key)
    work.records.flush()
    work.publish(
        events.ACCESS_TOKEN_KEY_ANNOUNCED,
        key.kid,
        {
            "kid": key.kid,
            "algorithm": "EdDSA",
            "created_at": now.isoformat(),
            "public_key": access_tokens.public_key_text(private.public_key()),
        },
    )
    return key
