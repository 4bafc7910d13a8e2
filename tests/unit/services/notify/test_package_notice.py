"""The notice that a licensee's package is ready: its subject, the link to the package and the
number of files, in each of the three languages."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from services.notify import mail
from services.notify.domain.routing import named_recipients
from shared.events.deliverables import DELIVERABLES_READY

URL = "https://deliverables.example/v1/licenses/lic-1/package"
DATA = {
    "package_id": "p",
    "license_id": "lic-1",
    "licensee_id": "l",
    "vendor_id": "v",
    "core_id": "c",
    "vlnv": {"vendor": "gg", "library": "serdes", "name": "pcie5", "version": "1.2"},
    "file_count": 3,
    "size": 123456,
    "package_url": URL,
    "ready_at": "2026-12-02T10:00:00+00:00",
}


@pytest.mark.parametrize(
    ("locale", "subject", "link_label"),
    [
        ("en", "Your files for gg:serdes:pcie5:1.2 are ready to download", "Your files"),
        ("zh-CN", "gg:serdes:pcie5:1.2 的交付文件已可下载", "下载地址"),
        ("zh-TW", "gg:serdes:pcie5:1.2 的交付檔案已可下載", "下載位址"),
    ],
)
def test_the_ready_notice_names_the_core_and_links_the_package(locale, subject, link_label):
    org = SimpleNamespace(
        locale=locale, timezone="UTC", legal_name_en="Design House", legal_name_zh=None
    )
    message = mail.compose(
        event_type=DELIVERABLES_READY,
        occurred_at=datetime(2026, 12, 2, 10, 0, tzinfo=UTC),
        data=DATA,
        organisation=org,
        names={"l": org, "v": SimpleNamespace(legal_name_en="Golden Gate IP", legal_name_zh=None)},
        to_name="Ops",
        to_address="ops@design.example",
        message_id=mail.message_id_for("e1", "ops@design.example"),
        now=datetime(2026, 12, 2, 10, 0, tzinfo=UTC),
    )
    parsed = email.message_from_bytes(bytes(message), policy=email.policy.default)
    assert parsed["Subject"] == subject
    text = parsed.get_body(("plain",)).get_content()
    assert f"{link_label}: {URL}" in text
    assert URL in parsed.get_body(("html",)).get_content()


def test_only_the_licensee_is_told():
    assert named_recipients(DELIVERABLES_READY, DATA) == {"l"}
