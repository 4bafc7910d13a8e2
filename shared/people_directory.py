"""The people directory every service but the catalog keeps, to check a person's access token
(shared/access_tokens.py, by the rules of shared/person_principal.py) without asking the
catalog: the catalog's token keys, people disabled, memberships with their current roles, and
sessions ended — all projected from the catalog's people events (shared/events/people.py),
in the consumer's transaction.

Memberships' events are keyed by organisation and so arrive in order; a person's and a
session's by person. Nothing is ever re-enabled by an event, so the order between a person's
events and an organisation's does not matter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared import jws
from shared.access_tokens import AccessClaims
from shared.events import Event
from shared.events import people as people_events
from shared.person_principal import Membership, Standing

# An ended session matters only while one of its access tokens may still be unexpired
# (shared/access_tokens.LIFETIME after the session ended, plus leeway); kept far longer.
ENDED_SESSIONS_KEPT = timedelta(hours=1)


# --- the projection's tables --------------------------------------------------------------------
# SEAM: these columns are the catalog's people events; kept in shared/ because licensing and
# notify project them alike (`class KnownPerson(KnownPersonMixin, Base)`).


class KnownTokenKeyMixin:
    """The catalog's access-token public keys (ACCESS_TOKEN_KEY_ANNOUNCED)."""

    __tablename__ = "known_token_key"

    kid: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    public_key: Mapped[str] = mapped_column(sa.String(43))  # base64url of the raw 32 bytes
    created_at: Mapped[datetime] = mapped_column()


class KnownPersonMixin:
    """A person's name (MEMBER_JOINED) and whether they are disabled (PERSON_DISABLED)."""

    __tablename__ = "known_person"

    person_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    name_zh: Mapped[str | None] = mapped_column(sa.String(200))
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)


class KnownMembershipMixin:
    """A person's membership of an organisation and its current roles (MEMBER_JOINED,
    MEMBER_ROLES_CHANGED; MEMBER_REMOVED deletes it)."""

    __tablename__ = "known_membership"

    person_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    roles: Mapped[list] = mapped_column()


class KnownPlatformRolesMixin:
    """A person's platform roles as the catalog last announced them (PLATFORM_ROLES_CHANGED):
    these, not the token's, are the roles a request acts with. No row: no change announced
    since the person signed in, so the token's hold."""

    __tablename__ = "known_platform_roles"

    person_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    platform_roles: Mapped[list] = mapped_column()
    changed_at: Mapped[datetime] = mapped_column()


class EndedSessionMixin:
    """Sessions ended (SESSION_ENDED): their access tokens are refused."""

    __tablename__ = "ended_session"

    session_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    person_id: Mapped[str] = mapped_column(sa.String(36))
    ended_at: Mapped[datetime] = mapped_column(index=True)


class PeopleDirectory:
    """Keeps the people projection from catalog events, and answers a person's standing and
    the token keys for shared/access_tokens.py (the ServiceContext's `people`)."""

    def __init__(
        self,
        token_key_model,
        person_model,
        membership_model,
        ended_session_model,
        organisation_model,
        platform_roles_model=None,
    ):
        """`platform_roles_model` (a KnownPlatformRolesMixin table): None in a service that
        keeps no platform roles, where the token's hold until it expires."""
        self.TokenKey = token_key_model
        self.PlatformRoles = platform_roles_model
        self.Person = person_model
        self.Membership = membership_model
        self.EndedSession = ended_session_model
        self.Organisation = organisation_model
        self._platform_organisation: tuple[str, frozenset[str]] | None = None

    @property
    def handlers(self) -> dict:
        return {
            people_events.ACCESS_TOKEN_KEY_ANNOUNCED: self.apply_token_key,
            people_events.PERSON_DISABLED: self.apply_person_disabled,
            people_events.MEMBER_JOINED: self.apply_member_joined,
            people_events.MEMBER_ROLES_CHANGED: self.apply_roles_changed,
            people_events.MEMBER_REMOVED: self.apply_member_removed,
            people_events.SESSION_ENDED: self.apply_session_ended,
            people_events.PLATFORM_ROLES_CHANGED: self.apply_platform_roles_changed,
        }

    # --- projecting -----------------------------------------------------------------------------

    def apply_token_key(self, event: Event, session: Session) -> None:
        data = event.data
        if session.get(self.TokenKey, data["kid"]) is None:
            session.add(
                self.TokenKey(
                    kid=data["kid"],
                    public_key=data["public_key"],
                    created_at=datetime.fromisoformat(data["created_at"]),
                )
            )

    def _person(self, session: Session, person_id: str):
        person = session.get(self.Person, person_id, with_for_update=True)
        if person is None:
            person = self.Person(person_id=person_id, name_en=None, name_zh=None)
            session.add(person)
        return person

    def apply_person_disabled(self, event: Event, session: Session) -> None:
        person = self._person(session, event.data["person_id"])
        if person.disabled_at is None:
            person.disabled_at = datetime.fromisoformat(event.data["disabled_at"])

    def apply_member_joined(self, event: Event, session: Session) -> None:
        data = event.data
        person = self._person(session, data["person_id"])
        person.name_en, person.name_zh = data["name_en"], data["name_zh"]
        self._set_roles(session, data["person_id"], data["organisation_id"], data["roles"])

    def apply_roles_changed(self, event: Event, session: Session) -> None:
        data = event.data
        self._set_roles(session, data["person_id"], data["organisation_id"], data["roles"])

    def _set_roles(self, session: Session, person_id: str, organisation_id: str, roles) -> None:
        membership = session.get(self.Membership, (person_id, organisation_id))
        if membership is None:
            session.add(
                self.Membership(
                    person_id=person_id, organisation_id=organisation_id, roles=list(roles)
                )
            )
        else:
            membership.roles = list(roles)

    def apply_member_removed(self, event: Event, session: Session) -> None:
        data = event.data
        session.execute(
            sa.delete(self.Membership).where(
                self.Membership.person_id == data["person_id"],
                self.Membership.organisation_id == data["organisation_id"],
            )
        )

    def apply_platform_roles_changed(self, event: Event, session: Session) -> None:
        data = event.data
        person = self._person(session, data["person_id"])
        person.name_en, person.name_zh = data["name_en"], data["name_zh"]
        if self.PlatformRoles is None:
            return
        changed_at = datetime.fromisoformat(data["changed_at"])
        held = session.get(self.PlatformRoles, data["person_id"], with_for_update=True)
        if held is None:
            session.add(
                self.PlatformRoles(
                    person_id=data["person_id"],
                    platform_roles=list(data["platform_roles"]),
                    changed_at=changed_at,
                )
            )
        elif held.changed_at <= changed_at:  # a change seen twice, or an older one late: kept
            held.platform_roles, held.changed_at = list(data["platform_roles"]), changed_at

    def platform_roles(self, session: Session, person_id: str) -> frozenset[str] | None:
        """The person's platform roles as last announced (None: none announced here)."""
        if self.PlatformRoles is None:
            return None
        held = session.get(self.PlatformRoles, person_id)
        return None if held is None else frozenset(held.platform_roles)

    def apply_session_ended(self, event: Event, session: Session) -> None:
        data = event.data
        ended_at = datetime.fromisoformat(data["ended_at"])
        if session.get(self.EndedSession, data["session_id"]) is None:
            session.add(
                self.EndedSession(
                    session_id=data["session_id"], person_id=data["person_id"], ended_at=ended_at
                )
            )
        session.execute(
            sa.delete(self.EndedSession).where(
                self.EndedSession.ended_at < ended_at - ENDED_SESSIONS_KEPT
            )
        )

    # --- answering --------------------------------------------------------------------------

    def token_keys(self, session: Session) -> dict[str, Ed25519PublicKey]:
        return {
            key.kid: jws.public_key_from_text(key.public_key)
            for key in session.scalars(sa.select(self.TokenKey))
        }

    def standing(self, session: Session, claims: AccessClaims) -> Standing:
        person = session.get(self.Person, claims.person_id)
        platform_roles = self.platform_roles(session, claims.person_id)
        rows = session.execute(
            sa.select(
                self.Membership.organisation_id, self.Membership.roles, self.Organisation.roles
            )
            .join(
                self.Organisation,
                self.Organisation.organisation_id == self.Membership.organisation_id,
            )
            .where(self.Membership.person_id == claims.person_id)
        )
        return Standing(
            session_ended=session.get(self.EndedSession, claims.session_id) is not None,
            person_disabled=person is not None and person.disabled_at is not None,
            memberships={
                organisation_id: Membership(frozenset(roles), frozenset(kinds))
                for organisation_id, roles, kinds in rows
            },
            name=person and (person.name_zh or person.name_en),
            platform_organisation=self.platform_organisation(session)
            if (claims.platform_roles if platform_roles is None else platform_roles)
            else None,
            platform_roles=platform_roles,
        )

    def platform_organisation(self, session: Session) -> tuple[str, frozenset[str]] | None:
        """The platform's own organisation (its roles include admin), once the projection
        holds it; remembered, since it never changes."""
        if self._platform_organisation is None:
            for organisation_id, kinds in session.execute(
                sa.select(self.Organisation.organisation_id, self.Organisation.roles).where(
                    sa.cast(self.Organisation.roles, sa.String).like('%"admin"%')
                )
            ):
                if "admin" in kinds:
                    self._platform_organisation = (organisation_id, frozenset(kinds))
        return self._platform_organisation


class TokenKeys(Mapping):
    """The token keys a service holds, read once and read again only when a token names a kid
    not held (a new key announced since): verifying costs no database query."""

    def __init__(self, load: Callable[[], dict[str, Ed25519PublicKey]]):
        self._load = load
        self._keys: dict[str, Ed25519PublicKey] = {}

    def __getitem__(self, kid: str) -> Ed25519PublicKey:
        if kid not in self._keys:
            self._keys = self._load()
        return self._keys[kid]

    def get(self, kid, default=None):
        try:
            return self[kid]
        except KeyError:
            return default

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)
