"""The catalog's tables. It owns organisations and their API keys (the platform directory);
the people tables are in people_models.py, on the same Base."""

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
    # Its members sign in with a second factor (issue 15; an owner's choice).
    requires_second_factor: Mapped[bool] = mapped_column(default=False)
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
    # The member roles the key acts with (shared/roles.py), e.g. ["publisher"] for an upload
    # script; ["owner"] is all its organisation may do.
    scopes: Mapped[list] = mapped_column(default=lambda: ["owner"])
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


class IpRequest(Base):
    """A request for IP: a search found nothing, and an organisation asks the vendors of the
    category (told by an ipmarket.ip_request.sent.v1 event)."""

    __tablename__ = "ip_request"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    person_id: Mapped[str | None] = mapped_column(sa.String(36))  # None: an API key's
    category: Mapped[str] = mapped_column(sa.String(64))
    description: Mapped[str] = mapped_column(sa.Text)
    node: Mapped[str | None] = mapped_column(sa.String(64))
    foundry: Mapped[str | None] = mapped_column(sa.String(64))
    contact_name: Mapped[str] = mapped_column(sa.String(200))
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    vendors_told: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
