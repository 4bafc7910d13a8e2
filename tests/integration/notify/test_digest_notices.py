"""A vendor's daily download digest (ipmarket.deliverables.daily_digest.v1) reaches that vendor
alone, by webhook and e-mail through the normal delivery path, in its language and time zone,
and as its preferences say."""

from __future__ import annotations

import uuid

from services.notify.app import create_app
from shared.events import new_event
from shared.events.deliverables import DELIVERABLES_DAILY_DIGEST
from tests.integration.notify import test_delivery
from tests.integration.notify.test_delivery import auth, endpoint_for
from tests.integration.notify.test_notices import recipients_of
from tests.support import wait_until

env, start_worker = test_delivery.env, test_delivery.start_worker  # its fixtures, here too


def digest_event(vendor_id: str, licensee_id: str):
    return new_event(
        DELIVERABLES_DAILY_DIGEST,
        "/ipmarket/deliverables",
        vendor_id,
        {
            "digest_id": str(uuid.uuid4()),
            "vendor_id": vendor_id,
            "day_start": "2026-11-30T00:00:00+00:00",
            "day_end": "2026-12-01T00:00:00+00:00",
            "downloads": 5,
            "licensees": 1,
            "entries": [
                {
                    "license_id": str(uuid.uuid4()),
                    "licensee_id": licensee_id,
                    "core_id": str(uuid.uuid4()),
                    "file_name": "uart_gl.v",
                    "downloads": 5,
                    "addresses": 2,
                    "last_downloaded_at": "2026-11-30T23:59:00+00:00",
                }
            ],
            "more_entries": 0,
        },
    )


def test_the_vendor_alone_gets_its_digest_in_its_language_and_zone(
    env, notify_context, organisation, handle, receiver, start_worker
):
    smtp = env
    app = create_app()
    client = app.test_client()
    vendor_id, vendor_key = organisation(
        "Xinhe Microelectronics", name_zh="芯禾微电子", country="CN", roles=["vendor"],
        locale="zh-Hans", timezone="Asia/Shanghai",
        contacts=[{"name": "王磊", "email": "wang.lei@xinhe.example", "notices": ["deliverables"]}],
    )  # fmt: skip
    licensee_id, licensee_key = organisation("Design House", country="HK")
    endpoint_for(client, vendor_key, receiver, "/vendor")
    endpoint_for(client, licensee_key, receiver, "/licensee")
    # A second vendor wants its digest by webhook only.
    quiet_id, quiet_key = organisation("Quiet IP", roles=["vendor"])
    endpoint_for(client, quiet_key, receiver, "/quiet")
    answer = client.put(f"/v1/preferences/{DELIVERABLES_DAILY_DIGEST}", headers=auth(quiet_key),
                        json={"email": False, "webhook": True})  # fmt: skip
    assert answer.status_code == 200
    event = handle(digest_event(vendor_id, licensee_id))
    quiet = handle(digest_event(quiet_id, licensee_id))
    assert recipients_of(notify_context, event) == {vendor_id: {"webhook", "email"}}
    assert recipients_of(notify_context, quiet) == {quiet_id: {"webhook"}}
    start_worker()
    wait_until(lambda: receiver.on("/vendor") and receiver.on("/quiet")
               and smtp.to("wang.lei@xinhe.example"), timeout=15,
               what="the digest by webhook and e-mail")  # fmt: skip
    [hook] = receiver.on("/vendor")
    assert hook.verified and hook.payload["data"] == event.data
    [message] = smtp.to("wang.lei@xinhe.example", DELIVERABLES_DAILY_DIGEST)
    assert message["Subject"] == "2026-11-30 您的交付文件被下载 5 次"
    assert message["Content-Language"] == "zh-Hans"
    text = message.get_body(("plain",)).get_content()
    assert "下载次数: 5" in text
    # The licensee by name, the last download in the vendor's zone (23:59 UTC is 07:59 there).
    assert "uart_gl.v: Design House：下载 5 次，来自 2 个地址，最近一次 " in text
    assert "2026年12月1日（周二）07:59 UTC+08:00 (Asia/Shanghai)" in text
    assert not receiver.on("/licensee")
    app.extensions["ipmarket"].engine.dispose()
