"""The licensing service's tables, and its projections of the catalog's directory and cores.
The purchasing tables (quotes, orders, invoices, payments) are in purchasing_models.py, on the
same Base."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.schema import make_base, new_id, utcnow
from shared.directory import KnownApiKeyMixin, KnownOrganisationMixin
from shared.messaging.outbox import OutboxMixin, ProcessedEventMixin
from shared.people_directory import (
    EndedSessionMixin,
    KnownMembershipMixin,
    KnownPersonMixin,
    KnownPlatformRolesMixin,
    KnownTokenKeyMixin,
)
from shared.rate_limits import RateLimitCounterMixin

Base = make_base()


def parent(column: str) -> sa.ForeignKey:
    """A reference to another licensing table, checked at commit: rows written at commit
    (insert_at_commit) go in table by table, not parents first."""
    return sa.ForeignKey(column, deferrable=True, initially="DEFERRED")


class OutboxMessage(OutboxMixin, Base):
    pass


class ProcessedEvent(ProcessedEventMixin, Base):
    pass


class RateLimitCounter(RateLimitCounterMixin, Base):
    pass


class KnownOrganisation(KnownOrganisationMixin, Base):
    pass


class KnownApiKey(KnownApiKeyMixin, Base):
    pass


# The people directory (shared/people_directory.py): people's access tokens are checked here.
class KnownTokenKey(KnownTokenKeyMixin, Base):
    pass


class KnownPerson(KnownPersonMixin, Base):
    pass


class KnownMembership(KnownMembershipMixin, Base):
    pass


class EndedSession(EndedSessionMixin, Base):
    pass


class KnownPlatformRoles(KnownPlatformRolesMixin, Base):
    pass


class KnownCore(Base):
    """Projection of one core version as the catalog last published it (event-carried state)."""

    __tablename__ = "known_core"

    core_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    vendor_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    vlnv: Mapped[dict] = mapped_column()
    title_en: Mapped[str] = mapped_column(sa.String(300))
    status: Mapped[str] = mapped_column(sa.String(16))
    eccn: Mapped[str] = mapped_column(sa.String(16))
    territory_restrictions: Mapped[list] = mapped_column()
    deliverables: Mapped[list] = mapped_column()
    offers: Mapped[list] = mapped_column()
    version: Mapped[int] = mapped_column()


class ScreeningRuleSet(Base):
    """One version of the export-screening rule table; the highest version is in force."""

    __tablename__ = "screening_rule_set"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    rules: Mapped[list] = mapped_column()
    embargoed: Mapped[list] = mapped_column()  # destinations denied whatever the ECCN
    comment: Mapped[str] = mapped_column(sa.String(500))
    created_by: Mapped[str | None] = mapped_column(sa.String(36))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LicenseRequest(Base):
    __tablename__ = "license_request"
    # One request per licensee and Idempotency-Key: a concurrent duplicate fails on insert.
    __table_args__ = (
        sa.UniqueConstraint(
            "licensee_id", "idempotency_key", name="uq_license_request_idempotency"
        ),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    licensee_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    vendor_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    core_id: Mapped[str] = mapped_column(sa.String(36))
    vlnv: Mapped[dict] = mapped_column()
    version_constraint: Mapped[str] = mapped_column(sa.String(200))
    offer_id: Mapped[str] = mapped_column(sa.String(64))
    offer: Mapped[dict] = mapped_column()  # the offer as it stood when requested
    project_name: Mapped[str] = mapped_column(sa.String(200))
    intended_use: Mapped[str] = mapped_column(sa.String(2000))
    end_use_country: Mapped[str] = mapped_column(sa.String(2))
    state: Mapped[str] = mapped_column(sa.String(20))
    screening: Mapped[dict] = mapped_column()  # outcome, reason_code, rule_id, rule_set_version
    decision_comment: Mapped[str | None] = mapped_column(sa.String(2000))  # the latest one
    decided_by: Mapped[str | None] = mapped_column(sa.String(36))
    # Every decision's comment, oldest first: {author_id, author_role, decision, comment, at}
    # (an operator's review and the vendor's approval are both kept).
    comments: Mapped[list] = mapped_column(default=list)
    license_id: Mapped[str | None] = mapped_column(sa.String(36))
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(200))
    body_hash: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()  # a pending request lapses then
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class License(Base):
    __tablename__ = "license"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(
        sa.String(36), parent("license_request.id"), unique=True
    )
    licensee_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    vendor_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    core_id: Mapped[str] = mapped_column(sa.String(36))
    state: Mapped[str] = mapped_column(sa.String(16), index=True)
    claims: Mapped[dict] = mapped_column()  # what the token says
    token: Mapped[str] = mapped_column(sa.Text)  # compact JWS of `claims`
    kid: Mapped[str] = mapped_column(sa.String(64))
    not_before: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column(index=True)  # None: perpetual
    state_reason: Mapped[str | None] = mapped_column(sa.String(2000))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SigningKey(Base):
    """An Ed25519 key; the private half only encrypted (see signing.py)."""

    __tablename__ = "signing_key"

    kid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    public_key: Mapped[str] = mapped_column(sa.String(64))  # base64url of the raw 32 bytes
    encrypted_private_key: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(default=None)


class ManifestKey(Base):
    """A public key the deliverables service signs manifests with (its events): served in
    the JWKS beside the license keys, never read when verifying a license."""

    __tablename__ = "manifest_key"

    kid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # "manifest-" + thumbprint
    public_key: Mapped[str] = mapped_column(sa.String(64))  # base64url of the raw 32 bytes
    created_at: Mapped[datetime] = mapped_column()
    retired_at: Mapped[datetime | None] = mapped_column(default=None)


class ExpiryNotice(Base):
    """A notice the scheduler has sent: each (license, expiry, days ahead) once, across
    restarts. An expiry moved by a renewal gets its own notices."""

    __tablename__ = "expiry_notice"

    license_id: Mapped[str] = mapped_column(sa.String(36), parent("license.id"), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(primary_key=True)
    days_ahead: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Append-only (a database trigger refuses UPDATE and DELETE)."""

    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[str | None] = mapped_column(sa.String(36))  # the organisation acted for
    actor_role: Mapped[str] = mapped_column(sa.String(16))
    # who acted: a person or an API key (its id) or the platform itself ("licensing.scheduler");
    # None in entries from before people (see migration 0007)
    actor_kind: Mapped[str | None] = mapped_column(sa.String(8))
    actor_ref: Mapped[str | None] = mapped_column(sa.String(64))
    actor_name: Mapped[str | None] = mapped_column(sa.String(300))  # as they were named then
    action: Mapped[str] = mapped_column(sa.String(64))
    subject_type: Mapped[str] = mapped_column(sa.String(32))
    subject_id: Mapped[str] = mapped_column(sa.String(64))
    licensee_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    vendor_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    details: Mapped[dict] = mapped_column()
