"""The notify service's tables, and its projection of the catalog's directory.

A domain event becomes one `Notice` (what happened) and one `Delivery` per recipient endpoint or
contact and channel (who must hear it), written in the same transaction as the processed-event
record. The delivery worker then works through due deliveries and logs every `Attempt`.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.notify.sealed import SealedText
from shared.db.schema import make_base, new_id, utcnow
from shared.db.wake import WAKE_CHANNEL
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


# The people directory (shared/people_directory.py): people's access tokens are checked here, and
# notices are addressed to people by their roles (services/notify/people.py).
class KnownTokenKey(KnownTokenKeyMixin, Base):
    pass


class KnownPerson(KnownPersonMixin, Base):
    """Besides what checking a token needs: the person's address, own language and time zone
    (None: their organisation's) and platform roles, to address notices to them."""

    email: Mapped[str | None] = mapped_column(sa.String(320))
    locale: Mapped[str | None] = mapped_column(sa.String(16))
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    # The organisation of the last membership seen: whose directory entry frames the messages
    # of a platform role (export review) or of the person's own account.
    home_organisation_id: Mapped[str | None] = mapped_column(sa.String(36))
    # space-separated, "" for none: comparable the same way on SQLite and PostgreSQL
    platform_roles: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    # When the person last chose locale and timezone themselves (SETTINGS_CHANGED): settings
    # carried by an older join or platform-roles event no longer overwrite theirs.
    settings_changed_at: Mapped[datetime | None] = mapped_column(default=None)


class KnownMembership(KnownMembershipMixin, Base):
    # notices look up an organisation's members by role
    __table_args__ = (sa.Index("ix_known_membership_organisation_id", "organisation_id"),)


class EndedSession(EndedSessionMixin, Base):
    pass


class KnownPlatformRoles(KnownPlatformRolesMixin, Base):
    pass


class KnownCore(Base):
    """Projection of the catalog's cores: enough to route core events and validate watches."""

    __tablename__ = "known_core"

    core_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    vendor_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    # vendor:library:name without the version: every version of a core shares its line.
    line: Mapped[str] = mapped_column(sa.String(400), index=True)
    status: Mapped[str] = mapped_column(sa.String(16))
    version: Mapped[int] = mapped_column()


class Holding(Base):
    """A license an organisation holds for a core (from license.issued; revoked/expired end it)."""

    __tablename__ = "holding"

    license_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    core_id: Mapped[str] = mapped_column(sa.String(36), index=True)


class Watch(Base):
    """A licensee following a core (every version of it) or a vendor."""

    __tablename__ = "watch"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "kind", "target_id"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # "core" or "vendor"
    target_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Preference(Base):
    """Which channels an organisation wants for one event type (no row: both)."""

    __tablename__ = "preference"

    organisation_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    event_type: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    email: Mapped[bool] = mapped_column()
    webhook: Mapped[bool] = mapped_column()


class Endpoint(Base):
    """A webhook endpoint of an organisation (Standard Webhooks)."""

    __tablename__ = "endpoint"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    event_types: Mapped[list] = mapped_column(default=list)  # empty: every event type
    schemes: Mapped[list] = mapped_column(default=lambda: ["v1"])  # "v1" (HMAC), "v1a" (Ed25519)
    # Sealed at rest (services/notify/sealed.py); read and written as whsec_… and whsk_….
    secret: Mapped[str] = mapped_column(SealedText)
    previous_secret: Mapped[str | None] = mapped_column(SealedText, default=None)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    signing_key: Mapped[str | None] = mapped_column(SealedText, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    failing_since: Mapped[datetime | None] = mapped_column(default=None)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    disabled_reason: Mapped[str | None] = mapped_column(sa.String(200), default=None)


class Notice(Base):
    """One domain event worth telling someone about, as the notices render it."""

    __tablename__ = "notice"

    event_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    event_type: Mapped[str] = mapped_column(sa.String(128))
    occurred_at: Mapped[datetime] = mapped_column()
    data: Mapped[dict] = mapped_column()


# PostgreSQL channel on which a transaction that adds due deliveries wakes the delivery workers
# when it commits (the delivery table names it: see shared.db.WAKE_CHANNEL). They poll as well:
# SQLite has no such channel, and a notice can be missed
# while a worker reconnects.
DELIVERY_DUE_CHANNEL = "ipmarket_delivery_due"


class Delivery(Base):
    """One notice to one endpoint (webhook) or one contact address (email)."""

    __tablename__ = "delivery"
    __table_args__ = (
        # The worker's query: due pending deliveries.
        sa.Index(
            "ix_delivery_due",
            "next_attempt_at",
            postgresql_where=sa.text("state = 'pending'"),
            sqlite_where=sa.text("state = 'pending'"),
        ),
        sa.Index("ix_delivery_endpoint", "endpoint_id", "created_at"),
        # Deliveries written at commit wake the workers (in the same statement on PostgreSQL).
        {"info": {WAKE_CHANNEL: DELIVERY_DUE_CHANNEL}},
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    notice_id: Mapped[str] = mapped_column(sa.ForeignKey("notice.event_id"))
    organisation_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    channel: Mapped[str] = mapped_column(sa.String(8))  # "webhook" or "email"
    endpoint_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("endpoint.id", ondelete="CASCADE")
    )
    address: Mapped[str | None] = mapped_column(sa.String(320))
    recipient_name: Mapped[str | None] = mapped_column(sa.String(300))
    # A person's own language and time zone, set for the people told by role and in messages
    # about an account; None for an organisation's contacts (who read as it does).
    locale: Mapped[str | None] = mapped_column(sa.String(16), default=None)
    timezone: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    # webhook-id or Message-ID: the same on every attempt and every replay.
    message_id: Mapped[str] = mapped_column(sa.String(200))
    state: Mapped[str] = mapped_column(sa.String(12), default="pending")  # pending/succeeded/failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.String(500), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)


class Attempt(Base):
    """One try of a delivery: when, the answer's status and first KB, how long it took. Written
    before sending and completed after: one whose worker died meanwhile has no outcome
    (`succeeded` None) and may or may not have reached the receiver."""

    __tablename__ = "attempt"

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    delivery_id: Mapped[str] = mapped_column(
        sa.ForeignKey("delivery.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column()
    succeeded: Mapped[bool | None] = mapped_column()  # None: no outcome recorded
    status_code: Mapped[int | None] = mapped_column()  # HTTP or SMTP code; None: no answer
    latency_ms: Mapped[float | None] = mapped_column()
    response: Mapped[str] = mapped_column(sa.Text, default="")  # first KB of the answer
    error: Mapped[str | None] = mapped_column(sa.String(500), default=None)


class DeadLetter(Base):
    """A message some consumer could not handle, kept for an operator to look at."""

    __tablename__ = "dead_letter"
    __table_args__ = (sa.UniqueConstraint("topic", "partition", "offset"),)

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    topic: Mapped[str] = mapped_column(sa.String(200))  # the dead-letter topic
    partition: Mapped[int] = mapped_column()
    offset: Mapped[int] = mapped_column(sa.BigInteger)
    source_topic: Mapped[str | None] = mapped_column(sa.String(200))
    source_partition: Mapped[int | None] = mapped_column()
    source_offset: Mapped[int | None] = mapped_column(sa.BigInteger)
    consumer_group: Mapped[str | None] = mapped_column(sa.String(200))
    reason: Mapped[str] = mapped_column(sa.Text)
    key: Mapped[str | None] = mapped_column(sa.Text)  # base64
    value: Mapped[str] = mapped_column(sa.Text)  # base64 of the original bytes
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
