"""The licensing service's purchasing tables: quotes, orders, invoices and payments, on
models.Base (so one metadata and one database). Money columns are integer minor units
(`*_minor`) next to a currency code (see domain/money.py)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from services.licensing.domain.money import Money
from services.licensing.models import Base, parent
from shared.db.schema import new_id, utcnow


class Quote(Base):
    """A licensee's request for a price on an "on request" offer, and the vendor's answer."""

    __tablename__ = "quote"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    licensee_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    vendor_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    core_id: Mapped[str] = mapped_column(sa.String(36))
    vlnv: Mapped[dict] = mapped_column()
    offer_id: Mapped[str] = mapped_column(sa.String(64))
    # The offer as it stood when asked for, then when the quote was (last) sent: what accepting
    # it licenses, whatever the vendor does to the offer afterwards.
    offer: Mapped[dict | None] = mapped_column()
    state: Mapped[str] = mapped_column(sa.String(16))  # domain/quotes.py: QUOTE_STATES
    project_name: Mapped[str] = mapped_column(sa.String(200))
    intended_use: Mapped[str] = mapped_column(sa.String(2000))
    end_use_country: Mapped[str] = mapped_column(sa.String(2))
    version_range: Mapped[str | None] = mapped_column(sa.String(200))
    volume: Mapped[int] = mapped_column()  # expected units shipped
    details: Mapped[str | None] = mapped_column(sa.String(4000))
    amount_minor: Mapped[int | None] = mapped_column(sa.BigInteger)
    currency: Mapped[str | None] = mapped_column(sa.String(3))
    terms: Mapped[str | None] = mapped_column(sa.String(4000))
    valid_until: Mapped[datetime | None] = mapped_column()
    request_id: Mapped[str | None] = mapped_column(  # once accepted
        sa.String(36), parent("license_request.id")
    )
    rejection_reason: Mapped[str | None] = mapped_column(sa.String(2000))  # the vendor's why
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def price(self) -> Money | None:
        """What the vendor quoted (None until it is sent)."""
        return Money(self.amount_minor, self.currency) if self.currency else None


class Order(Base):
    """What a licensee buys: one cleared license request at a price. Paid in full, the license
    is issued in the same transaction."""

    __tablename__ = "purchase_order"
    __table_args__ = (
        sa.UniqueConstraint("licensee_id", "idempotency_key", name="uq_purchase_order_idempotency"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    request_id: Mapped[str] = mapped_column(
        sa.String(36), parent("license_request.id"), unique=True
    )
    quote_id: Mapped[str | None] = mapped_column(sa.String(36), parent("quote.id"))
    licensee_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    vendor_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    core_id: Mapped[str] = mapped_column(sa.String(36))
    vlnv: Mapped[dict] = mapped_column()
    offer_id: Mapped[str] = mapped_column(sa.String(64))
    state: Mapped[str] = mapped_column(sa.String(20), index=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)
    paid_minor: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    license_id: Mapped[str | None] = mapped_column(sa.String(36), parent("license.id"))
    state_reason: Mapped[str | None] = mapped_column(sa.String(2000))
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(200))
    body_hash: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class InvoiceCounter(Base):
    """The last invoice number of one vendor; locked FOR UPDATE to take the next one, so that
    numbers have no gaps and no duplicates however many orders arrive at once."""

    __tablename__ = "invoice_counter"

    vendor_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    last_number: Mapped[int] = mapped_column(sa.BigInteger)


class Invoice(Base):
    __tablename__ = "invoice"
    __table_args__ = (
        sa.UniqueConstraint("vendor_id", "sequence", name="uq_invoice_vendor_sequence"),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(sa.String(36), parent("purchase_order.id"), unique=True)
    vendor_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    licensee_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    sequence: Mapped[int] = mapped_column(sa.BigInteger)
    number: Mapped[str] = mapped_column(sa.String(32))
    state: Mapped[str] = mapped_column(sa.String(16))  # open, paid, void
    language: Mapped[str] = mapped_column(sa.String(16))  # the licensee's: en, zh-Hans, zh-Hant
    parties: Mapped[dict] = mapped_column()  # names (en, zh) and countries, as when issued
    lines: Mapped[list] = mapped_column()  # description, quantity, unit and line amounts
    currency: Mapped[str] = mapped_column(sa.String(3))
    total_minor: Mapped[int] = mapped_column(sa.BigInteger)
    payment_instructions: Mapped[str] = mapped_column(sa.String(2000))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime] = mapped_column(index=True)
    overdue_notified_at: Mapped[datetime | None] = mapped_column()


class Payment(Base):
    """Money received for an order: a bank transfer someone recorded, or a provider's callback
    (unique by the provider's payment id, so a replayed callback cannot pay twice)."""

    __tablename__ = "payment"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(sa.String(36), parent("purchase_order.id"), index=True)
    method: Mapped[str] = mapped_column(sa.String(16))  # bank_transfer, provider
    amount_minor: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3))
    paid_on: Mapped[date] = mapped_column(sa.Date)
    reference: Mapped[str] = mapped_column(sa.String(200))
    provider_payment_id: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    recorded_by: Mapped[str | None] = mapped_column(sa.String(36))  # None: the provider
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
