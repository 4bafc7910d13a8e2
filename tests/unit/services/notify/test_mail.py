"""Email notices: the message itself (multipart, headers folded once) and the .eml transport."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime
from types import SimpleNamespace

from services.notify import mail


def test_message_id_is_derived_from_event_and_address():
    first = mail.message_id_for("e1", "Ops@Example.com")
    assert first == mail.message_id_for("e1", "ops@example.com")
    assert first != mail.message_id_for("e2", "ops@example.com")
    assert first != mail.message_id_for("e1", "other@example.com")
    assert first.startswith("<") and first.endswith("@ipmarket.localhost>")


def test_a_chinese_notice_is_multipart_with_encoded_headers_and_local_times():
    org = SimpleNamespace(
        locale="zh-CN",
        timezone="Asia/Shanghai",
        legal_name_en="Xinhe Chip",
        legal_name_zh="芯禾微电子有限公司",
    )
    vendor = SimpleNamespace(legal_name_en="Golden Gate IP Inc.", legal_name_zh=None)
    data = {
        "vendor_id": "v",
        "licensee_id": "l",
        "core_id": "c",
        "license_id": "lic-1",
        "vlnv": {"vendor": "gg", "library": "serdes", "name": "pcie5", "version": "1.2"},
        "expires_at": "2027-11-24T16:00:00+00:00",
        "not_before": None,
    }
    message = mail.compose(
        event_type="ipmarket.license.issued.v1",
        occurred_at=datetime(2026, 11, 24, 22, 5, tzinfo=UTC),
        data=data,
        organisation=org,
        names={"v": vendor, "l": org},
        to_name="王工程师",
        to_address="wang@xinhe.example",
        message_id=mail.message_id_for("e1", "wang@x"),
        now=datetime(2026, 11, 24, 22, 6, tzinfo=UTC),
    )
    raw = bytes(message)
    assert all(byte < 128 for byte in raw.split(b"\n\n", 1)[0])  # headers: RFC 2047, 7-bit
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == "授权已签发：gg:serdes:pcie5:1.2"
    assert parsed["To"].addresses[0].display_name == "王工程师"
    assert parsed["Content-Language"] == "zh-Hans"
    assert parsed["Date"].endswith("+0800")
    assert parsed["Message-ID"] == mail.message_id_for("e1", "wang@x")
    assert parsed["List-Unsubscribe"].startswith("<http://localhost:8000/account>, <mailto:")
    assert parsed.get_content_type() == "multipart/alternative"
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    assert "王工程师，您好：" in text
    assert "2027年11月25日（周四）00:00 UTC+08:00 (Asia/Shanghai)" in text  # expiry, local
    assert "Golden Gate IP Inc." in text and "芯禾微电子有限公司" in text
    assert '<html lang="zh-Hans">' in html and "授权编号" in html


def test_a_chinese_request_notice_names_offer_and_reason_and_links_to_portal_pages(monkeypatch):
    """Codes that reach people are in the reader's words (the shared catalogs), and every link
    opens a portal page: the API would answer a browser 401."""
    monkeypatch.setenv("IPMARKET_PORTAL_URL", "https://portal.example")
    vendor = SimpleNamespace(
        organisation_id="v",
        roles=["vendor"],
        locale="zh-Hans",
        timezone="Asia/Shanghai",
        legal_name_en="Xinhe Chip",
        legal_name_zh="芯禾微电子有限公司",
    )
    licensee = SimpleNamespace(legal_name_en="Pearl Chip", legal_name_zh="珠江芯片有限公司")
    data = {
        "vendor_id": "v",
        "licensee_id": "l",
        "core_id": "c",
        "request_id": "req-9",
        "offer_kind": "evaluation",
        "reason": "ADVANCED_IC_TECHNOLOGY_REVIEW",
        "vlnv": {"vendor": "xh", "library": "serdes", "name": "pcie5", "version": "1.2"},
    }
    message = mail.compose(
        event_type="ipmarket.license.requested.v1",
        occurred_at=datetime(2026, 11, 24, 22, 5, tzinfo=UTC),
        data=data,
        organisation=vendor,
        names={"v": vendor, "l": licensee},
        to_name="王工程师",
        to_address="wang@xinhe.example",
        message_id=mail.message_id_for("e3", "wang@x"),
        now=datetime(2026, 11, 24, 22, 6, tzinfo=UTC),
    )
    parsed = email.message_from_bytes(bytes(message), policy=email.policy.default)
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    assert "授权方式: 评估授权" in text and "evaluation" not in text
    assert "原因: 先进集成电路技术：需要出口审查" in text
    assert "ADVANCED_IC_TECHNOLOGY_REVIEW" not in text
    assert "在 ipmarket 上查看: https://portal.example/vendor/requests" in text
    assert 'href="https://portal.example/vendor/requests"' in html
    assert "https://portal.example/vendor/notices" in text  # where notices are chosen
    assert parsed["List-Unsubscribe"].startswith("<https://portal.example/vendor/notices>")
    links = re.findall(r"https?://[^\s<>\"]+", text + html)
    assert links and all(link.startswith("https://portal.example/") for link in links)
    assert "/v1/" not in text + html


def test_headers_made_once_and_reused_serialise_as_the_standard_librarys_own(monkeypatch):
    org = SimpleNamespace(
        locale="zh-HK",
        timezone="Asia/Hong_Kong",
        legal_name_en="Pearl Chip",
        legal_name_zh="珠江芯片有限公司",
    )

    def notice(to_name: str, address: str) -> tuple[bytes, bytes]:
        message = mail.compose(
            event_type="ipmarket.license.expiring.v1",
            occurred_at=datetime(2026, 11, 24, 22, 5, tzinfo=UTC),
            data={
                "vendor_id": "v",
                "licensee_id": "l",
                "core_id": "c",
                "license_id": "lic-2",
                "days_ahead": 7,
                "expires_at": "2026-12-01T16:00:00+00:00",
                "vlnv": {"vendor": "gg", "library": "ddr", "name": "lpddr5_ctrl", "version": "3.0"},
            },
            organisation=org,
            names={"l": org},
            to_name=to_name,
            to_address=address,
            message_id=mail.message_id_for("e2", address),
            now=datetime(2026, 11, 24, 22, 6, tzinfo=UTC),
        )
        message.set_boundary("b0undary")
        # As written to a file, then as smtplib sends it: the headers fold for each line end.
        return bytes(message), message.as_bytes(policy=message.policy.clone(linesep="\r\n"))

    ours = [
        notice("陳大文", "chan@pearl.example"),
        notice("李小姐", "lee@pearl.example"),
        notice("陳大文", "chan@pearl.example"),
    ]
    monkeypatch.setattr(mail, "POLICY", email.policy.default)  # the standard library alone
    theirs = [notice("陳大文", "chan@pearl.example"), notice("李小姐", "lee@pearl.example")]
    assert ours[0] == ours[2] == theirs[0]
    assert ours[1] == theirs[1]
    assert ours[0][0].startswith(b"Subject: =?utf-8?") and b"\r" not in ours[0][0]
    assert b"?=\r\n =?utf-8?" in ours[0][1]  # the subject folded, with the sender's line end


def test_without_an_smtp_server_messages_are_eml_files_named_by_message_id(tmp_path, monkeypatch):
    monkeypatch.delenv("IPMARKET_SMTP_HOST", raising=False)
    monkeypatch.setenv("IPMARKET_MAIL_DIR", str(tmp_path / "mail"))
    transport = mail.make_transport()
    assert isinstance(transport, mail.MailDirTransport)
    org = SimpleNamespace(
        locale="zh-TW",
        timezone="Asia/Taipei",
        legal_name_en="Formosa IP",
        legal_name_zh="福爾摩沙矽智財",
    )
    message = mail.compose(
        event_type="ipmarket.api_key.created.v1",
        occurred_at=datetime(2026, 11, 24, tzinfo=UTC),
        data={"organisation_id": "o", "name": "CI 金鑰"},
        organisation=org,
        names={},
        to_name="陳小姐",
        to_address="chen@formosa.example",
        message_id=mail.message_id_for("e9", "chen@formosa.example"),
        now=datetime(2026, 11, 24, tzinfo=UTC),
    )
    transport.send(message)
    transport.send(message)  # a resend replaces the file: still one message
    [written] = list((tmp_path / "mail").glob("*.eml"))
    parsed = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "已建立新的 API 金鑰：CI 金鑰"
    assert parsed["Content-Language"] == "zh-Hant"
    assert written.name == message["Message-ID"].strip("<>") + ".eml"


def test_a_request_for_ip_reaches_the_listed_vendors_in_their_script(monkeypatch):
    from services.notify.domain.routing import named_recipients

    monkeypatch.setenv("IPMARKET_PORTAL_URL", "https://portal.example")
    data = {
        "ip_request_id": "ipr-1",
        "organisation_id": "asker",
        "category": "memories",
        "description": "A 2 Mb SRAM compiler for 22 nm.",
        "node": "22nm",
        "foundry": None,
        "contact_name": "Li Wei",
        "contact_email": "li.wei@asker.example",
        "vendor_ids": ["v1", "v2"],
    }
    assert named_recipients("ipmarket.ip_request.sent.v1", data) == {"v1", "v2"}
    vendor = SimpleNamespace(
        organisation_id="v1",
        roles=["vendor"],
        locale="zh-TW",
        timezone="Asia/Taipei",
        legal_name_en="Formosa IP",
        legal_name_zh=None,
    )
    asker = SimpleNamespace(legal_name_en="Xinyuan", legal_name_zh="芯原")
    message = mail.compose(
        event_type="ipmarket.ip_request.sent.v1",
        occurred_at=datetime(2026, 12, 2, 8, 0, tzinfo=UTC),
        data=data,
        organisation=vendor,
        names={"asker": asker, "v1": vendor},
        to_name="陳大文",
        to_address="chan@formosa.example",
        message_id=mail.message_id_for("e4", "chan@formosa.example"),
        now=datetime(2026, 12, 2, 8, 1, tzinfo=UTC),
    )
    parsed = email.message_from_bytes(bytes(message), policy=email.policy.default)
    text = parsed.get_body(("plain",)).get_content()
    assert parsed["Subject"] == "IP 需求：記憶體"
    assert "類別: 記憶體" in text and "需求方: 芯原" in text
    assert "聯絡人: Li Wei <li.wei@asker.example>" in text and "製程節點: 22nm" in text
    assert "https://portal.example/vendor/" in text


def test_a_licensee_is_told_in_its_language_that_the_vendor_will_not_quote(monkeypatch):
    monkeypatch.setenv("IPMARKET_PORTAL_URL", "https://portal.example")
    licensee = SimpleNamespace(
        organisation_id="l",
        roles=["licensee"],
        locale="zh-HK",
        timezone="Asia/Hong_Kong",
        legal_name_en="Pearl Chip",
        legal_name_zh="珠江晶片有限公司",
    )
    vendor = SimpleNamespace(legal_name_en="Xinhe Chip", legal_name_zh="芯禾微電子有限公司")
    data = {
        "vendor_id": "v",
        "licensee_id": "l",
        "core_id": "c",
        "vlnv": {"vendor": "xh", "library": "serdes", "name": "pcie5", "version": "1.2"},
        "offer_id": "std",
        "quote_id": "q-7",
        "request_id": None,
        "reason": "We do not license this core for 12 nm.",
    }
    message = mail.compose(
        event_type="ipmarket.quote.rejected.v1",
        occurred_at=datetime(2026, 11, 24, 22, 5, tzinfo=UTC),
        data=data,
        organisation=licensee,
        names={"v": vendor, "l": licensee},
        to_name="陳工程師",
        to_address="chan@pearl.example",
        message_id=mail.message_id_for("e4", "chan@pearl.example"),
        now=datetime(2026, 11, 24, 22, 6, tzinfo=UTC),
    )
    parsed = email.message_from_bytes(bytes(message), policy=email.policy.default)
    assert parsed["Subject"] == "供應商不予報價：xh:serdes:pcie5:1.2"
    assert parsed["Content-Language"] == "zh-Hant"
    text = parsed.get_body(("plain",)).get_content()
    assert "We do not license this core for 12 nm." in text  # the vendor's own words
    assert "https://portal.example/licensee/quotes/q-7" in text
