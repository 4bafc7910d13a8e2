"""The catalog's people tables (issue 15): who signs in, for which organisations, with which
roles; their sessions, second factors and sign-in throttles. On models.Base, so one metadata
(and one migration history) holds every catalog table."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.catalog.models import Base
from shared.db.schema import new_id, utcnow


class Person(Base):
    """Someone who signs in. Locale and time zone None: the organisation's (of the membership
    in question). The address is unique however it is capitalised (email_key, lower case)."""

    __tablename__ = "person"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(sa.String(254))  # as the person wrote it
    email_key: Mapped[str] = mapped_column(sa.String(254), unique=True)  # case-folded
    name_en: Mapped[str] = mapped_column(sa.String(200))
    name_zh: Mapped[str | None] = mapped_column(sa.String(200))
    locale: Mapped[str | None] = mapped_column(sa.String(16))
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    platform_roles: Mapped[list] = mapped_column(default=list)  # operator, export_reviewer
    password_hash: Mapped[str | None] = mapped_column(sa.String(200))  # None: not set yet
    email_verified_at: Mapped[datetime | None] = mapped_column(default=None)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Membership(Base):
    __tablename__ = "membership"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(sa.ForeignKey("person.id"), index=True)
    organisation_id: Mapped[str] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    roles: Mapped[list] = mapped_column()  # owner, publisher, approver, buyer, finance, viewer
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint(
            "person_id", "organisation_id", name="uq_membership_person_organisation"
        ),
    )


class OrganisationApplication(Base):
    """An organisation asking to join; the operator approves (the organisation is registered
    and its contact invited as owner) or declines."""

    __tablename__ = "organisation_application"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    legal_name_en: Mapped[str] = mapped_column(sa.String(300))
    legal_name_zh: Mapped[str | None] = mapped_column(sa.String(300))
    country: Mapped[str] = mapped_column(sa.String(2))
    registration_number: Mapped[str] = mapped_column(sa.String(64))
    roles: Mapped[list] = mapped_column()  # vendor, licensee
    contact_name: Mapped[str] = mapped_column(sa.String(200))
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    locale: Mapped[str] = mapped_column(sa.String(16), default="en")
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    reason: Mapped[str | None] = mapped_column(sa.Text)
    organisation_id: Mapped[str | None] = mapped_column(sa.ForeignKey("organisation.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by: Mapped[str | None] = mapped_column(sa.String(36))  # the operator person


class Invitation(Base):
    """An e-mailed, single-use, expiring invitation to join an organisation with roles."""

    __tablename__ = "invitation"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    roles: Mapped[list] = mapped_column()
    invited_by: Mapped[str | None] = mapped_column(sa.String(36))  # person; None: the platform
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    accepted_at: Mapped[datetime | None] = mapped_column(default=None)
    person_id: Mapped[str | None] = mapped_column(sa.ForeignKey("person.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)  # its link then refuses


class PersonSession(Base):
    """A signed-in session: its refresh token's hash renews short-lived access tokens until the
    session is ended."""

    __tablename__ = "person_session"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(sa.ForeignKey("person.id"), index=True)
    refresh_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")
    client_address: Mapped[str] = mapped_column(sa.String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)


class TotpSecret(Base):
    """A person's TOTP (RFC 6238) secret; in force once confirmed with a first code."""

    __tablename__ = "totp_secret"

    person_id: Mapped[str] = mapped_column(sa.ForeignKey("person.id"), primary_key=True)
    secret: Mapped[str] = mapped_column(sa.String(64))  # base32
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(default=None)
    last_step: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # a code works once


class RecoveryCode(Base):
    __tablename__ = "recovery_code"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(sa.ForeignKey("person.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))  # SHA-256: the codes are random
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class SignInThrottle(Base):
    """Failed sign-ins counted per account ("person:<email key>") and per client address
    ("address:<ip>"); `blocked_until` is what Retry-After tells."""

    __tablename__ = "sign_in_throttle"

    bucket: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column()
    blocked_until: Mapped[datetime | None] = mapped_column(default=None)


class TokenKey(Base):
    """The catalog's keys for what it signs for people: `link` (HMAC of e-mailed links) and
    `access` (Ed25519 for access tokens, the public half announced by event)."""

    __tablename__ = "token_key"

    kid: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    purpose: Mapped[str] = mapped_column(sa.String(16))
    secret: Mapped[bytes] = mapped_column(sa.LargeBinary)  # HMAC key or Ed25519 private bytes
    public_key: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(default=None)


class KnownDevice(Base):
    """A browser or device a person has signed in from, by the SHA-256 of the random device
    identifier it keeps (a long-lived cookie): a sign-in from any other is news to the person."""

    __tablename__ = "known_device"

    person_id: Mapped[str] = mapped_column(sa.ForeignKey("person.id"), primary_key=True)
    device_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class Passkey(Base):
    """A WebAuthn credential of a person: a second factor, or a sign-in on its own."""

    __tablename__ = "passkey"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(sa.ForeignKey("person.id"), index=True)
    credential_id: Mapped[str] = mapped_column(sa.String(1400), unique=True)  # base64url
    public_key: Mapped[bytes] = mapped_column(sa.LargeBinary)  # COSE_Key
    sign_count: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    name: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)


class PasskeyChallenge(Base):
    """A WebAuthn ceremony under way: its challenge, deleted when answered (a recorded answer
    replayed finds no challenge) or left to expire."""

    __tablename__ = "passkey_challenge"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    purpose: Mapped[str] = mapped_column(sa.String(16))  # register, sign_in, second_factor
    challenge: Mapped[bytes] = mapped_column(sa.LargeBinary)
    person_id: Mapped[str | None] = mapped_column(sa.ForeignKey("person.id"))
    expires_at: Mapped[datetime] = mapped_column()


class PeopleAuditRecord(Base):
    """What an operator did to people from the command line (`ipmarket admin create`,
    `ipmarket people …`), reads included: who (the operating-system account that ran it),
    what, to whom, when. Changes are also events, for the other services."""

    __tablename__ = "people_audit"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(sa.String(200))
    action: Mapped[str] = mapped_column(sa.String(64))
    subject: Mapped[str | None] = mapped_column(sa.String(254))  # a person's address
    detail: Mapped[dict] = mapped_column(default=dict)
