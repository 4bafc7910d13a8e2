"""The catalog's tables. It owns organisations and their API keys (the platform directory)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db.schema import make_base, new_id, utcnow
from shared.messaging.outbox import OutboxMixin, ProcessedEventMixin
from shared.rate_limits import RateLimitCounterMixin

Base = make_base()


class OutboxMessage(OutboxMixin, Base):
    pass


class ProcessedEvent(ProcessedEventMixin, Base):
    pass


class RateLimitCounter(RateLimitCounterMixin, Base):
    pass


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    legal_name_en: Mapped[str] = mapped_column(sa.String(300))
    legal_name_zh: Mapped[str | None] = mapped_column(sa.String(300))
    country: Mapped[str] = mapped_column(sa.String(2))
    region: Mapped[str] = mapped_column(sa.String(32))
    roles: Mapped[list] = mapped_column()
    locale: Mapped[str] = mapped_column(sa.String(16))
    timezone: Mapped[str] = mapped_column(sa.String(64))
    contacts: Mapped[list] = mapped_column(default=list)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    api_keys: Mapped[list[ApiKey]] = relationship(back_populates="organisation")

    __mapper_args__ = {"version_id_col": version}


class ApiKey(Base):
    __tablename__ = "api_key"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    organisation: Mapped[Organisation] = relationship(back_populates="api_keys")


class Core(Base):
    """One version of an IP core, identified by its VLNV. A published version is immutable but
    for its offers, targets' maturity, documents and descriptions (see cores.py)."""

    __tablename__ = "core"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    vendor_id: Mapped[str] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    vendor_region: Mapped[str] = mapped_column(sa.String(32))  # for the region facet
    vlnv_vendor: Mapped[str] = mapped_column(sa.String(128))
    vlnv_library: Mapped[str] = mapped_column(sa.String(128))
    vlnv_name: Mapped[str] = mapped_column(sa.String(128))
    vlnv_version: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")
    title_en: Mapped[str] = mapped_column(sa.String(300))
    title_zh: Mapped[str | None] = mapped_column(sa.String(300))
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    description_zh: Mapped[str | None] = mapped_column(sa.Text)
    category: Mapped[str | None] = mapped_column(sa.String(64))  # required to publish
    deliverable_kinds: Mapped[list] = mapped_column(default=list)
    hdl_languages: Mapped[list] = mapped_column(default=list)
    standards: Mapped[list] = mapped_column(default=list)
    targets: Mapped[list] = mapped_column(default=list)  # [{foundry, node, maturity}]
    eccn: Mapped[str | None] = mapped_column(sa.String(8))  # required to publish
    territory_restrictions: Mapped[list] = mapped_column(default=list)
    documents: Mapped[list] = mapped_column(default=list)  # [{kind, title, url, sha256}]
    deliverables: Mapped[list] = mapped_column(default=list)  # [{kind, name, sha256}]
    offers: Mapped[list] = mapped_column(default=list)
    # What an IP-XACT import found: kept for the integrator, not searched.
    parameters: Mapped[list] = mapped_column(default=list)
    bus_interfaces: Mapped[list] = mapped_column(default=list)
    file_sets: Mapped[list] = mapped_column(default=list)
    ports: Mapped[list] = mapped_column(default=list)  # [{name, direction, left, right, width…}]
    memory_maps: Mapped[list] = mapped_column(default=list)  # blocks → registers → fields
    # Derived for search (see search.py): the text to index and the facet values of this core.
    search_title: Mapped[str] = mapped_column(sa.Text, default="")  # ranks (small: fast)
    search_text: Mapped[str] = mapped_column(sa.Text, default="")  # matches
    search_cjk: Mapped[str] = mapped_column(sa.Text, default="")
    facet_values: Mapped[list] = mapped_column(default=list)
    price_band: Mapped[str] = mapped_column(sa.String(16), default="on_request")
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(default=None)

    __table_args__ = (
        sa.UniqueConstraint(
            "vlnv_vendor", "vlnv_library", "vlnv_name", "vlnv_version", name="uq_core_vlnv"
        ),
        sa.Index("ix_core_status_published_at", "status", "published_at"),
        sa.Index("ix_core_updated_at", "updated_at"),  # keeps the facet index fresh
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def vlnv(self) -> dict:
        return {
            "vendor": self.vlnv_vendor,
            "library": self.vlnv_library,
            "name": self.vlnv_name,
            "version": self.vlnv_version,
        }


class VendorNameClaim(Base):
    """An organisation's claim to publish under a VLNV vendor name (e.g. "arm.com"). Only a
    claim the operator has confirmed lets it create or publish cores under that name, and a name
    is confirmed for one organisation at most."""

    __tablename__ = "vendor_name_claim"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(128))  # lower case: domain names ignore case
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    reason: Mapped[str | None] = mapped_column(sa.Text)  # the operator's, when declined
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by: Mapped[str | None] = mapped_column(sa.String(36))  # the operator's organisation
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "name", name="uq_vendor_name_claim_claimant"),
        # The database itself keeps a name confirmed for one organisation only.
        sa.Index(
            "uq_vendor_name_confirmed",
            "name",
            unique=True,
            postgresql_where=sa.text("status = 'confirmed'"),
            sqlite_where=sa.text("status = 'confirmed'"),
        ),
    )
    __mapper_args__ = {"version_id_col": version}


# --- people (issue 15): who signs in, for which organisations, with which roles -----------------


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
