"""The people records in memory (services/catalog/people_records.py's methods over lists)."""

from __future__ import annotations

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
from tests.unit.services.catalog.fakes import InMemoryRecords


class InMemoryPeopleRecords(InMemoryRecords):
    def __init__(self):
        super().__init__()
        self._link_key = b"test link key, 32 bytes long...."

    def person(self, person_id):
        return self._by_id(Person, person_id)

    def person_by_email(self, email_key):
        return next((p for p in self._of(Person) if p.email_key == email_key), None)

    def memberships_of(self, person_id):
        return [m for m in self._of(Membership) if m.person_id == person_id]

    def members_of(self, organisation_id):
        return [m for m in self._of(Membership) if m.organisation_id == organisation_id]

    def membership(self, person_id, organisation_id):
        return next(
            (m for m in self.memberships_of(person_id) if m.organisation_id == organisation_id),
            None,
        )

    def application(self, application_id):
        return self._by_id(OrganisationApplication, application_id)

    def invitation(self, invitation_id):
        return self._by_id(Invitation, invitation_id)

    invitation_for_update = invitation

    def link_key(self):
        return self._link_key

    def access_key(self):
        live = [k for k in self._of(TokenKey) if k.purpose == "access" and k.retired_at is None]
        return max(live, key=lambda k: k.created_at, default=None)

    def access_keys(self):
        return [k for k in self._of(TokenKey) if k.purpose == "access"]

    def throttle(self, bucket):
        return next((t for t in self._of(SignInThrottle) if t.bucket == bucket), None)

    def person_session(self, session_id):
        return self._by_id(PersonSession, session_id)

    def session_by_refresh(self, refresh_hash):
        return next((s for s in self._of(PersonSession) if s.refresh_hash == refresh_hash), None)

    def sessions_of(self, person_id):
        return [
            s for s in self._of(PersonSession) if s.person_id == person_id and s.ended_at is None
        ]

    def totp(self, person_id):
        return next((t for t in self._of(TotpSecret) if t.person_id == person_id), None)

    def recovery_codes(self, person_id):
        return [c for c in self._of(RecoveryCode) if c.person_id == person_id]

    def known_device(self, person_id, device_hash):
        return next(
            (
                d
                for d in self._of(KnownDevice)
                if (d.person_id, d.device_hash) == (person_id, device_hash)
            ),
            None,
        )

    def has_known_devices(self, person_id):
        return any(d.person_id == person_id for d in self._of(KnownDevice))

    def passkeys_of(self, person_id):
        return [p for p in self._of(Passkey) if p.person_id == person_id]

    def passkey_by_credential(self, credential_id):
        return next((p for p in self._of(Passkey) if p.credential_id == credential_id), None)

    def passkey_challenge(self, challenge_id):
        return self._by_id(PasskeyChallenge, challenge_id)

    def forget_expired_passkey_challenges(self, now):
        self.rows = [
            r for r in self.rows if not (isinstance(r, PasskeyChallenge) and r.expires_at <= now)
        ]

    def operators(self):
        return [p for p in self._of(Person) if "operator" in p.platform_roles]

    def delete(self, row):
        self.rows.remove(row)

    def flush(self):
        emails = [p.email_key for p in self._of(Person)]
        assert len(emails) == len(set(emails)), "person.email_key is unique"
        for row in self.rows:  # rows keyed otherwise than by id
            if isinstance(row, TokenKey) and row.kid is None:
                row.kid = self._ids()
        super().flush()
