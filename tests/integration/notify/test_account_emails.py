"""E-mails about people's own accounts and organisations' applications, through the consumer's
handlers, the delivery worker and a real SMTP server (aiosmtpd), in en, zh-Hans and zh-Hant."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from services.notify.models import Delivery
from shared.events import new_event
from tests.support import wait_until

AT = "2026-12-02T08:00:00+00:00"
EXPIRES = "2026-12-04T08:00:00+00:00"


def catalog_event(event_type: str, subject: str, data: dict):
    return new_event(event_type, "/ipmarket/catalog", subject, data)


def invited(org_id: str, email: str, locale: str, roles=("approver",)):
    invitation_id = str(uuid.uuid4())
    return catalog_event(
        "ipmarket.member.invited.v1",
        org_id,
        {
            "invitation_id": invitation_id,
            "organisation_id": org_id,
            "email": email,
            "roles": list(roles),
            "invited_by": None,
            "locale": locale,
            "link_token": f"inv-{invitation_id}",
            "expires_at": EXPIRES,
        },
    )


def application(event_type: str, locale: str, status: str, reason=None):
    application_id = str(uuid.uuid4())
    return catalog_event(
        event_type,
        application_id,
        {
            "application_id": application_id,
            "legal_name_en": "Shanghai Xinyuan Microelectronics Co., Ltd.",
            "legal_name_zh": "上海芯源微电子有限公司",
            "country": "CN",
            "registration_number": "91310000MA1FL0000X",
            "roles": ["vendor"],
            "contact_name": "李伟",
            "contact_email": f"{status}@xinyuan.example",
            "locale": locale,
            "status": status,
            "reason": reason,
            "organisation_id": None,
            "decided_at": None if status == "pending" else AT,
        },
    )


def person_notice(event_type: str, email: str, locale: str, timezone: str, **extra):
    person_id = str(uuid.uuid4())
    return catalog_event(
        event_type,
        person_id,
        {
            "person_id": person_id,
            "email": email,
            "name_en": "Chen Jing",
            "name_zh": "陳靜",
            "locale": locale,
            "timezone": timezone,
            **extra,
        },
    )


@pytest.fixture
def mailed(platform_env, smtp_server, monkeypatch):
    """mailed(*addresses) → the messages the delivery worker sent to each, once all have one."""
    monkeypatch.setenv("IPMARKET_PORTAL_URL", "https://market.example/portal/")

    def wait_for(*addresses):
        wait_until(
            lambda: all(smtp_server.to(a) for a in addresses), timeout=15, what="the e-mails"
        )
        return {a: smtp_server.to(a) for a in addresses}

    return wait_for


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_an_invitation_carries_its_link_in_the_invitees_language(
    organisation, handle, mailed, notify_context, delivery_worker
):
    org, _ = organisation(
        "Shanghai Xinyuan Microelectronics",
        name_zh="上海芯源微电子",
        country="CN",
        locale="zh-Hans",
        timezone="Asia/Shanghai",
    )
    event = handle(invited(org, "li.wei@xinyuan.example", "zh-Hans", ["approver", "finance"]))
    [message] = mailed("li.wei@xinyuan.example")["li.wei@xinyuan.example"]
    assert message["Subject"] == "上海芯源微电子邀请您加入 ipmarket"
    assert message["Content-Language"] == "zh-Hans" and "List-Unsubscribe" not in message
    text = text_of(message)
    token = event.data["link_token"]
    assert f"接受邀请: https://market.example/portal/invitations/accept?token={token}" in text
    assert "以审批人、财务人员身份加入" in text
    assert "链接有效期至: 2026年12月4日（周五）16:00 UTC+08:00 (Asia/Shanghai)" in text
    html = message.get_body(("html",)).get_content()
    assert f'href="https://market.example/portal/invitations/accept?token={token}"' in html
    # Under the invitation, not the organisation: its delivery log never shows the link.
    with notify_context.session_factory() as session:
        owners = session.scalars(
            sa.select(Delivery.organisation_id).where(Delivery.notice_id == event.id)
        ).all()
    assert owners == [event.data["invitation_id"]]


def test_applications_received_approved_and_declined_reach_the_applicant(
    handle, mailed, delivery_worker
):
    handle(application("ipmarket.organisation_application.submitted.v1", "en", "pending"))
    handle(application("ipmarket.organisation_application.approved.v1", "zh-Hant", "approved"))
    handle(
        application(
            "ipmarket.organisation_application.declined.v1",
            "zh-Hans",
            "declined",
            reason="营业执照号码无法核实",
        )
    )
    got = mailed("pending@xinyuan.example", "approved@xinyuan.example", "declined@xinyuan.example")
    [received] = got["pending@xinyuan.example"]
    # (a long subject is folded onto its own line, which the parser reads with a space first)
    assert received["Subject"].strip() == (
        "We received the application of Shanghai Xinyuan Microelectronics Co., Ltd."
    )
    assert text_of(received).startswith("Dear 李伟,")
    [approved] = got["approved@xinyuan.example"]
    assert approved["Subject"] == "上海芯源微电子有限公司的加入申請已通過"
    [declined] = got["declined@xinyuan.example"]
    assert declined["Subject"] == "上海芯源微电子有限公司的入驻申请未获通过"
    assert "原因: 营业执照号码无法核实" in text_of(declined)
    # No organisation yet: the times are those of the applicant's country.
    assert "UTC+08:00 (Asia/Shanghai)" in text_of(declined)


def test_password_reset_new_device_and_second_factor_reset_reach_the_person(
    organisation, handle, mailed, delivery_worker
):
    reset = handle(
        person_notice(
            "ipmarket.password_reset.requested.v1",
            "chen@goldengate.example",
            "zh-Hant",
            "Asia/Taipei",
            link_token="reset-token-1",
            expires_at=EXPIRES,
        )
    )
    handle(
        person_notice(
            "ipmarket.person.signed_in_from_new_device.v1",
            "dana@goldengate.example",
            "en",
            "America/Los_Angeles",
            session_id=str(uuid.uuid4()),
            user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
            client_address="203.0.113.7",
            signed_in_at=AT,
        )
    )
    org, _ = organisation("Golden Gate IP", timezone="America/Los_Angeles")
    person_id = str(uuid.uuid4())
    handle(
        catalog_event(
            "ipmarket.member.joined.v1",
            org,
            {
                "person_id": person_id,
                "organisation_id": org,
                "name_en": "Sam Owner",
                "name_zh": None,
                "email": "sam@goldengate.example",
                "roles": ["owner"],
                "joined_at": AT,
            },
        )
    )
    handle(
        catalog_event(
            "ipmarket.person.second_factor_reset.v1",
            person_id,
            {"person_id": person_id, "reset_at": AT},
        )
    )
    got = mailed("chen@goldengate.example", "dana@goldengate.example", "sam@goldengate.example")
    [message] = got["chen@goldengate.example"]
    assert message["Subject"] == "重設您的 ipmarket 密碼"
    text = text_of(message)
    assert text.startswith("陳靜，您好：")
    assert "設定新密碼: https://market.example/portal/password-reset?token=reset-token-1" in text
    assert "(Asia/Taipei)" in text and reset.data["link_token"] in text
    [message] = got["dana@goldengate.example"]
    assert message["Subject"] == "New sign-in to your ipmarket account"
    text = text_of(message)
    assert "Browser or device: Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0" in text
    assert "IP address: 203.0.113.7" in text
    assert "Signed in: " in text and "UTC-08:00 (America/Los_Angeles)" in text
    [message] = got["sam@goldengate.example"]
    assert message["Subject"] == "Your second factor was reset"
    assert "(America/Los_Angeles)" in text_of(message)  # the organisation's zone
    # As people will read them (kept for a look: pytest's basetemp is removed later).
    for address, messages in got.items():
        Path(f"/tmp/h-notices-{address.split('@')[0]}.eml").write_bytes(messages[0].as_bytes())
