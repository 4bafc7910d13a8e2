"""Principals: API keys, who holds them, and the directory of organisations every service keeps.

The catalog owns organisations and keys. It publishes their events (never a key, only its
SHA-256), and every other service keeps a projection of them, so that one key works everywhere
and a revoked key stops working everywhere as soon as the event arrives, without any service
asking the catalog on a request path.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared import roles as role_table
from shared.events import Event
from shared.events import catalog as catalog_events

KEY_PREFIX = "ipm_"
log = logging.getLogger(__name__)


def generate_api_key() -> tuple[str, str]:
    """A new key and its hash. The key is shown once; only the hash is stored."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    return key, hash_api_key(key)


def hash_api_key(key: str) -> str:
    # Keys carry 256 random bits, so a fast hash is enough (as for GitHub tokens): nothing to
    # brute-force, and the lookup is one indexed equality.
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is asking, as every service sees it: an organisation acting through one of its API
    keys (key_id) or one of its people (person_id, signed in with session_id).

    `roles` are what the organisation is on the platform (vendor, licensee; admin for the
    platform's own); `scopes` the member roles the request carries (shared/roles.py): a person's
    roles in that organisation, or the scopes an API key was given; `platform_roles` a person's
    operator or export_reviewer. Each endpoint names an action of shared/roles.ACTIONS, and
    `may(action)` decides it."""

    organisation_id: str
    roles: frozenset[str]
    key_id: str | None = None
    scopes: frozenset[str] = frozenset(role_table.ORGANISATION_ROLES)
    platform_roles: frozenset[str] = frozenset()
    person_id: str | None = None
    session_id: str | None = None
    name: str | None = None  # the person's name (or the key's label) as the audit shows it

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles or role_table.OPERATOR in self.platform_roles

    def has_role(self, role: str) -> bool:
        return role in self.roles or self.is_admin

    def may(self, action: str) -> bool:
        """Whether this request may take `action`. The platform's owners (its unscoped or
        owner-scoped keys) and its operators may take any organisation's actions as its owner
        would; export review needs the export_reviewer role (or the platform's owner). A
        platform key scoped narrower has only its scopes (least privilege)."""
        if role_table.may(self.scopes | self.platform_roles, action):
            return True
        if self.is_admin and role_table.OWNER in self.scopes:
            return True
        return role_table.OPERATOR in self.platform_roles and role_table.may(
            [role_table.OWNER], action
        )

    @property
    def actor(self) -> dict:
        """Who did it, as events (shared.events.envelope.validate_actor) and the audit record it:
        the person or key, and the organisation it acted for."""
        if self.person_id is not None:
            kind, who = "person", self.person_id
        else:
            kind, who = "key", self.key_id
        return {"kind": kind, "id": who, "name": self.name, "organisation_id": self.organisation_id}


def key_principal(
    organisation_id: str, kinds, key_id: str, scopes: list[str] | None, name: str | None = None
) -> Principal:
    """The principal of an API key whose organisation is `kinds` and that carries `scopes`:
    member roles, and for the platform's own keys also platform roles. A key from before scopes
    (None) is its organisation's owner, as it was. `name`: the key's label, its actor's name."""
    scopes = frozenset(scopes or (role_table.OWNER,))
    return Principal(
        organisation_id=organisation_id,
        roles=frozenset(kinds),
        key_id=key_id,
        scopes=scopes - set(role_table.PLATFORM_ROLES),
        platform_roles=scopes & set(role_table.PLATFORM_ROLES),
        name=name,
    )


class RecentPrincipals:
    """Principals found in the last `seconds`, by key hash, so that a client sending many
    requests costs one directory lookup per `seconds` instead of a transaction per request.
    A revoked key therefore keeps working here for at most `seconds` after the projection
    learns of its revocation, which must stay well inside the platform's 2-second rule. Unknown
    or revoked keys are never remembered: a new key works as soon as its event arrives."""

    def __init__(
        self, seconds: float, max_keys: int = 10_000, *, clock: Callable[[], float] = time.monotonic
    ):
        self.seconds = seconds
        self._clock = clock
        self.max_keys = max_keys
        self._found: dict[str, tuple[float, Principal]] = {}

    def get(self, key_hash: str) -> Principal | None:
        found = self._found.get(key_hash)
        if found is None or found[0] < self._clock():
            return None
        return found[1]

    def remember(self, key_hash: str, principal: Principal) -> None:
        if len(self._found) >= self.max_keys:
            self._found = {}  # a crude bound: forgetting only costs lookups
        self._found[key_hash] = (self._clock() + self.seconds, principal)


# --- the projection's tables --------------------------------------------------------------------
# SEAM: these columns are the catalog's organisation and key schema (its events, see
# shared/events/catalog.py), kept here only because licensing and notify project them alike.
# They change when the catalog's events change; nothing else in shared/ depends on them.


class KnownOrganisationMixin:
    """Projection of the catalog's organisations (`class KnownOrganisation(…Mixin, Base)`)."""

    __tablename__ = "known_organisation"

    organisation_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    legal_name_en: Mapped[str] = mapped_column(sa.String(300))
    legal_name_zh: Mapped[str | None] = mapped_column(sa.String(300))
    country: Mapped[str] = mapped_column(sa.String(2))
    region: Mapped[str] = mapped_column(sa.String(32))
    roles: Mapped[list] = mapped_column()
    locale: Mapped[str] = mapped_column(sa.String(16))
    timezone: Mapped[str] = mapped_column(sa.String(64))
    contacts: Mapped[list] = mapped_column()
    version: Mapped[int] = mapped_column()


class KnownApiKeyMixin:
    """Projection of the catalog's API keys: hash, owner, scopes and label (the name the
    events of a key's acts carry as their actor's: "upload script")."""

    __tablename__ = "known_api_key"

    key_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scopes: Mapped[list] = mapped_column(default=lambda: [role_table.OWNER])
    name: Mapped[str | None] = mapped_column(sa.String(100), default=None)  # None: before labels
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class Directory:
    """Keeps the projection up to date from catalog events and answers who holds a key."""

    # How long a service may answer from RecentPrincipals: revocation events take a fraction of
    # a second from the catalog to the projection, and the whole must stay under 2 seconds.
    REMEMBER_SECONDS = 0.5

    def __init__(self, organisation_model, api_key_model):
        self.Organisation = organisation_model
        self.ApiKey = api_key_model
        self.version_gaps = 0  # organisation events found missing (see apply_organisation)

    @property
    def handlers(self):
        return {
            catalog_events.ORGANISATION_REGISTERED: self.apply_organisation,
            catalog_events.ORGANISATION_UPDATED: self.apply_organisation,
            catalog_events.API_KEY_CREATED: self.apply_key_created,
            catalog_events.API_KEY_REVOKED: self.apply_key_revoked,
        }

    def apply_organisation(self, event: Event, session: Session) -> None:
        """Keep the newest state. The catalog publishes every change of an organisation
        (registration is version 1) in order on its key, so a version beyond the next one means
        events were lost on the way, e.g. dead-lettered: the event carries the whole state, so
        the projection is applied and right again, but what the missing versions announced
        was never handled here. That is logged as a WARNING and counted, never passed over."""
        data = event.data
        current = session.get(self.Organisation, data["organisation_id"])
        held = 0 if current is None else current.version
        if held >= data["version"]:
            return  # an older state arriving late changes nothing
        if data["version"] > held + 1:
            self.version_gaps += 1
            log.warning(
                "projection of organisation %s: version %d arrived after %s; versions "
                "%d to %d never did (look for them in the dead letters)",
                data["organisation_id"],
                data["version"],
                held or "none",
                held + 1,
                data["version"] - 1,
                extra={
                    "event_id": event.id,
                    "organisation_id": data["organisation_id"],
                    "held_version": held,
                    "event_version": data["version"],
                },
            )
        fields = {
            k: data[k]
            for k in (
                "legal_name_en",
                "legal_name_zh",
                "country",
                "region",
                "roles",
                "locale",
                "timezone",
                "contacts",
                "version",
            )
        }
        if current is None:
            session.add(self.Organisation(organisation_id=data["organisation_id"], **fields))
        else:
            for name, value in fields.items():
                setattr(current, name, value)

    def apply_key_created(self, event: Event, session: Session) -> None:
        data = event.data
        if session.get(self.ApiKey, data["key_id"]) is None:
            session.add(
                self.ApiKey(
                    key_id=data["key_id"],
                    organisation_id=data["organisation_id"],
                    key_hash=data["key_hash"],
                    # events from before scopes: the key was its organisation's owner
                    scopes=data.get("scopes") or [role_table.OWNER],
                    name=data["name"],
                )
            )

    def apply_key_revoked(self, event: Event, session: Session) -> None:
        # Key events are keyed by organisation, so creation always arrives before revocation.
        key = session.get(self.ApiKey, event.data["key_id"])
        if key is not None and key.revoked_at is None:
            key.revoked_at = datetime.fromisoformat(event.data["revoked_at"])

    def principal_for(self, session: Session, key_hash: str) -> Principal | None:
        row = session.execute(
            sa.select(
                self.ApiKey.key_id,
                self.ApiKey.organisation_id,
                self.ApiKey.scopes,
                self.ApiKey.name,
                self.Organisation.roles,
            )
            .join(
                self.Organisation, self.Organisation.organisation_id == self.ApiKey.organisation_id
            )
            .where(self.ApiKey.key_hash == key_hash, self.ApiKey.revoked_at.is_(None))
        ).first()
        if row is None:
            return None
        return key_principal(row.organisation_id, row.roles, row.key_id, row.scopes, row.name)
