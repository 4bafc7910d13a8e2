"""Invoices: one per order, numbered per vendor without gaps, printable in the licensee's
language (en, zh-Hans, zh-Hant), and the overdue notices the scheduler sends."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.licensing import audit
from services.licensing.domain.money import Money
from services.licensing.event_data import purchase_event
from services.licensing.models import KnownOrganisation, LicenseRequest
from services.licensing.purchasing_models import Invoice, InvoiceCounter, Order
from shared import config
from shared.db.schema import new_id, utcnow
from shared.events import licensing as events
from shared.messaging.unit_of_work import UnitOfWork

LANGUAGES = ("en", "zh-Hans", "zh-Hant")
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

LABELS = {
    "en": {
        "invoice": "Invoice",
        "number": "Invoice number",
        "issued": "Issue date",
        "due": "Due date",
        "seller": "Vendor",
        "buyer": "Licensee",
        "order": "Order",
        "description": "Description",
        "quantity": "Quantity",
        "unit": "Unit price",
        "amount": "Amount",
        "total": "Total",
        "paid": "Paid",
        "outstanding": "Outstanding",
        "instructions": "Payment instructions",
        "state": "Status",
        "states": {"open": "open", "paid": "paid", "void": "void"},
        "line": "License for {vlnv} ({offer}), project {project}",
        "pay": "Pay {total} by bank transfer to {vendor}, quoting the reference {number}, "
        "or online through the marketplace's payment provider (order {order}).",
    },
    "zh-Hans": {
        "invoice": "发票",
        "number": "发票号码",
        "issued": "开票日期",
        "due": "付款期限",
        "seller": "供应商",
        "buyer": "被许可方",
        "order": "订单",
        "description": "项目",
        "quantity": "数量",
        "unit": "单价",
        "amount": "金额",
        "total": "合计",
        "paid": "已付",
        "outstanding": "未付",
        "instructions": "付款说明",
        "state": "状态",
        "states": {"open": "未结", "paid": "已付", "void": "作废"},
        "line": "{vlnv} 许可（{offer}），项目 {project}",
        "pay": "请通过银行转账向 {vendor} 支付 {total}，并注明参考号 {number}；"
        "或通过平台的支付服务在线支付（订单 {order}）。",
    },
    "zh-Hant": {
        "invoice": "發票",
        "number": "發票號碼",
        "issued": "開票日期",
        "due": "付款期限",
        "seller": "供應商",
        "buyer": "被許可方",
        "order": "訂單",
        "description": "項目",
        "quantity": "數量",
        "unit": "單價",
        "amount": "金額",
        "total": "合計",
        "paid": "已付",
        "outstanding": "未付",
        "instructions": "付款說明",
        "state": "狀態",
        "states": {"open": "未結", "paid": "已付", "void": "作廢"},
        "line": "{vlnv} 許可（{offer}），項目 {project}",
        "pay": "請以銀行轉賬向 {vendor} 支付 {total}，並註明參考號 {number}；"
        "或經平台的支付服務在線支付（訂單 {order}）。",
    },
}


def next_number(session: Session, vendor_id: str) -> int:
    """The vendor's next invoice number. The counter row is created once, then locked FOR
    UPDATE: concurrent orders queue on it, and a rolled-back order gives its number back."""
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(InvoiceCounter)
        .values(vendor_id=vendor_id, last_number=0)
        .on_conflict_do_nothing(index_elements=["vendor_id"])
    )
    counter = session.scalars(
        sa.select(InvoiceCounter)
        .where(InvoiceCounter.vendor_id == vendor_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    counter.last_number += 1
    return counter.last_number


def _party(session: Session, organisation_id: str) -> dict:
    org = session.get(KnownOrganisation, organisation_id)
    if org is None:  # the directory event has not arrived: the id still identifies it
        return {
            "organisation_id": organisation_id,
            "name_en": organisation_id,
            "name_zh": None,
            "country": None,
        }
    return {
        "organisation_id": organisation_id,
        "name_en": org.legal_name_en,
        "name_zh": org.legal_name_zh,
        "country": org.country,
    }


def issue_invoice(session: Session, order: Order, request: LicenseRequest) -> Invoice:
    licensee = session.get(KnownOrganisation, order.licensee_id)
    language = licensee.locale if licensee is not None and licensee.locale in LANGUAGES else "en"
    labels = LABELS[language]
    sequence = next_number(session, order.vendor_id)
    number = f"INV-{sequence:06d}"
    total = Money(order.amount_minor, order.currency)
    parties = {
        "vendor": _party(session, order.vendor_id),
        "licensee": _party(session, order.licensee_id),
    }
    vlnv = ":".join(order.vlnv[k] for k in ("vendor", "library", "name", "version"))
    now = utcnow()
    invoice = Invoice(
        id=new_id(),
        order_id=order.id,
        vendor_id=order.vendor_id,
        licensee_id=order.licensee_id,
        sequence=sequence,
        number=number,
        state="open",
        language=language,
        parties=parties,
        currency=order.currency,
        total_minor=order.amount_minor,
        issued_at=now,
        due_at=now + timedelta(days=config.get("IPMARKET_INVOICE_DUE_DAYS")),
        lines=[
            {
                "description": labels["line"].format(
                    vlnv=vlnv, offer=request.offer["kind"], project=request.project_name
                ),
                "quantity": 1,
                "unit_amount": str(total),
                "amount": str(total),
            }
        ],
        payment_instructions=labels["pay"].format(
            total=total.display(),
            vendor=parties["vendor"]["name_en"],
            number=number,
            order=order.id,
        ),
    )
    session.add(invoice)
    return invoice


def invoice_html(invoice: Invoice, order: Order, language: str | None = None) -> str:
    """The printable invoice (autoescaped: names and projects are the parties' own text)."""
    language = language or invoice.language
    lines = [
        {
            **line,
            "unit": Money.parse(line["unit_amount"], invoice.currency).display(),
            "total": Money.parse(line["amount"], invoice.currency).display(),
        }
        for line in invoice.lines
    ]
    return TEMPLATES.get_template("invoice.html").render(
        invoice=invoice,
        order=order,
        lines=lines,
        labels=LABELS[language],
        language=language,
        total=Money(invoice.total_minor, invoice.currency).display(),
        paid=Money(order.paid_minor, order.currency).display(),
        outstanding=Money(order.amount_minor - order.paid_minor, order.currency).display(),
    )


def send_overdue_notices(uow: UnitOfWork, now: datetime, limit: int = 500) -> int:
    """One event per open invoice past its due date (remembered on the invoice)."""
    session = uow.session
    overdue = list(
        session.scalars(
            sa.select(Invoice)
            .where(
                Invoice.state == "open",
                Invoice.due_at <= now,
                Invoice.overdue_notified_at.is_(None),
            )
            .order_by(Invoice.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for invoice in overdue:
        order = session.get(Order, invoice.order_id)
        invoice.overdue_notified_at = now
        audit.record(
            session,
            None,
            audit.SYSTEM,
            "invoice.overdue",
            "order",
            order.id,
            licensee_id=order.licensee_id,
            vendor_id=order.vendor_id,
            invoice_number=invoice.number,
        )
        uow.publish(
            events.INVOICE_OVERDUE,
            order.id,
            purchase_event(
                order,
                invoice_id=invoice.id,
                invoice_number=invoice.number,
                due_at=invoice.due_at.isoformat(),
            ),
        )
    return len(overdue)
