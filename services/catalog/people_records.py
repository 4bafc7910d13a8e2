"""The SQL of the people use cases (people.py, sign_in.py), mixed into records.SqlRecords."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from services.catalog.models import Organisation
from services.catalog.people_models import (
    Invitation,
    KnownDevice,
    Membership,
    OrganisationApplication,
    Passkey,
    PasskeyChallenge,
    Person,
    PersonSession,
    RecoveryCode,
    SignInThrottle,
    TokenKey,
    TotpSecret,
)


class SqlPeopleRecords:
    session: sa.orm.Session

    def person(self, person_id: str) -> Person | None:
        return self.session.get(Person, person_id)

    def person_by_email(self, email_key: str) -> Person | None:
        return self.session.scalar(sa.select(Person).where(Person.email_key == email_key))

    def memberships_of(self, person_id: str) -> list[Membership]:
        return list(
            self.session.scalars(sa.select(Membership).where(Membership.person_id == person_id))
        )

    def members_of(self, organisation_id: str) -> list[Membership]:
        return list(
            self.session.scalars(
                sa.select(Membership).where(Membership.organisation_id == organisation_id)
            )
        )

    def membership(self, person_id: str, organisation_id: str) -> Membership | None:
        return self.session.scalar(
            sa.select(Membership).where(
                Membership.person_id == person_id, Membership.organisation_id == organisation_id
            )
        )

    def application(self, application_id: str) -> OrganisationApplication | None:
        return self.session.get(OrganisationApplication, application_id)

    def invitation(self, invitation_id: str) -> Invitation | None:
        return self.session.get(Invitation, invitation_id)

    def invitation_for_update(self, invitation_id: str) -> Invitation | None:
        """Locked (PostgreSQL): two acceptances of one link at once, one wins."""
        return self.session.scalar(
            sa.select(Invitation).where(Invitation.id == invitation_id).with_for_update()
        )

    def link_key(self) -> bytes:
        """The HMAC key of e-mailed links, made at first use (one row, kept)."""
        key = self.session.scalar(
            sa.select(TokenKey.secret).where(
                TokenKey.purpose == "link", TokenKey.retired_at.is_(None)
            )
        )
        if key is None:
            key = secrets.token_bytes(32)
            self.session.add(TokenKey(purpose="link", secret=key))
            self.session.flush()
        return key

    def access_key(self) -> TokenKey | None:
        """The Ed25519 key access tokens are signed with now (the newest not retired)."""
        return self.session.scalar(
            sa.select(TokenKey)
            .where(TokenKey.purpose == "access", TokenKey.retired_at.is_(None))
            .order_by(TokenKey.created_at.desc())
            .limit(1)
        )

    def access_keys(self) -> list[TokenKey]:
        return list(self.session.scalars(sa.select(TokenKey).where(TokenKey.purpose == "access")))

    def throttle(self, bucket: str) -> SignInThrottle | None:
        return self.session.get(SignInThrottle, bucket)

    def person_session(self, session_id: str) -> PersonSession | None:
        return self.session.get(PersonSession, session_id)

    def session_by_refresh(self, refresh_hash: str) -> PersonSession | None:
        return self.session.scalar(
            sa.select(PersonSession).where(PersonSession.refresh_hash == refresh_hash)
        )

    def sessions_of(self, person_id: str) -> list[PersonSession]:
        return list(
            self.session.scalars(
                sa.select(PersonSession)
                .where(PersonSession.person_id == person_id, PersonSession.ended_at.is_(None))
                .order_by(PersonSession.created_at, PersonSession.id)
            )
        )

    def totp(self, person_id: str) -> TotpSecret | None:
        return self.session.get(TotpSecret, person_id)

    def recovery_codes(self, person_id: str) -> list[RecoveryCode]:
        return list(
            self.session.scalars(sa.select(RecoveryCode).where(RecoveryCode.person_id == person_id))
        )

    def known_device(self, person_id: str, device_hash: str) -> KnownDevice | None:
        return self.session.get(KnownDevice, (person_id, device_hash))

    def has_known_devices(self, person_id: str) -> bool:
        return self.session.scalar(sa.select(sa.exists().where(KnownDevice.person_id == person_id)))

    def passkeys_of(self, person_id: str) -> list[Passkey]:
        return list(
            self.session.scalars(
                sa.select(Passkey)
                .where(Passkey.person_id == person_id)
                .order_by(Passkey.created_at)
            )
        )

    def passkey_by_credential(self, credential_id: str) -> Passkey | None:
        return self.session.scalar(sa.select(Passkey).where(Passkey.credential_id == credential_id))

    def passkey_challenge(self, challenge_id: str) -> PasskeyChallenge | None:
        return self.session.get(PasskeyChallenge, challenge_id)

    def forget_expired_passkey_challenges(self, now) -> None:
        self.session.execute(sa.delete(PasskeyChallenge).where(PasskeyChallenge.expires_at <= now))

    def platform_organisation(self) -> Organisation | None:
        """The platform's own organisation (role admin), if `ipmarket admin create` has run."""
        return next(
            (org for org in self.session.scalars(sa.select(Organisation)) if "admin" in org.roles),
            None,
        )

    def operators(self) -> list[Person]:
        """The people with the platform role operator (few)."""
        found = self.session.scalars(
            sa.select(Person).where(sa.cast(Person.platform_roles, sa.String).like('%"operator"%'))
        )
        return [person for person in found if "operator" in person.platform_roles]

    def delete(self, row) -> None:
        self.session.delete(row)
