"""The vendor's daily download digest notice: its subject, totals and one line per (license,
file), times in the recipient's zone, in each of the three languages; addressed to the vendor."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from services.notify import mail
from services.notify.domain.routing import named_recipients
from shared.events.deliverables import DELIVERABLES_DAILY_DIGEST

DATA = {
    "digest_id": "d",
    "vendor_id": "v",
    "day_start": "2026-11-30T00:00:00+00:00",
    "day_end": "2026-12-01T00:00:00+00:00",
    "downloads": 7,
    "licensees": 2,
    "entries": [
        {"license_id": "lic", "licensee_id": "l", "core_id": "c", "file_name": "uart_gl.v",
         "downloads": 6, "addresses": 2, "last_downloaded_at": "2026-11-30T16:30:00+00:00"},
    ],
    "more_entries": 1,
}  # fmt: skip


@pytest.mark.parametrize(
    ("locale", "zone", "subject", "line"),
    [
        ("en", "Europe/Berlin", "Downloads of your files on 2026-11-30: 7",
         "uart_gl.v: Design House: 6 downloads from 2 addresses, last Mon 30 Nov 2026, 17:30"),
        ("zh-TW", "Asia/Taipei", "2026-11-30 您的交付檔案被下載 7 次",
         "uart_gl.v: Design House：下載 6 次，來自 2 個位址，最近一次 2026年12月1日（週二）00:30"),
    ],
)  # fmt: skip
def test_the_digest_lists_the_days_downloads_in_the_vendors_language_and_zone(
    locale, zone, subject, line
):
    vendor = SimpleNamespace(
        locale=locale, timezone=zone, legal_name_en="Pearl River Silicon", legal_name_zh=None
    )
    licensee = SimpleNamespace(legal_name_en="Design House", legal_name_zh=None)
    message = mail.compose(
        event_type=DELIVERABLES_DAILY_DIGEST,
        occurred_at=datetime(2026, 12, 1, 0, 5, tzinfo=UTC),
        data=DATA,
        organisation=vendor,
        names={"v": vendor, "l": licensee},
        to_name="Ops",
        to_address="ops@pearl.example",
        message_id=mail.message_id_for("e1", "ops@pearl.example"),
        now=datetime(2026, 12, 1, 0, 5, tzinfo=UTC),
    )
    parsed = email.message_from_bytes(bytes(message), policy=email.policy.default)
    assert parsed["Subject"] == subject
    text = parsed.get_body(("plain",)).get_content()
    assert line in text
    assert "Design House" in parsed.get_body(("html",)).get_content()


def test_the_digest_goes_to_its_vendor_alone():
    assert named_recipients(DELIVERABLES_DAILY_DIGEST, DATA) == {"v"}
