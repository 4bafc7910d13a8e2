"""The notify benchmark's set-up: its processes, the directory of organisations, license event
data and pending deliveries written straight into the notify database."""

from __future__ import annotations

import subprocess
import sys
import uuid

from shared.events import new_event

VLNV = {"vendor": "goldengate", "library": "serdes", "name": "pcie5_phy", "version": "2.1"}


def start(name: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "ipmarket", *args],
        stdout=subprocess.DEVNULL,
        stderr=open(f"/tmp/bench-notify-{name}.log", "w"),
    )


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()


def directory(context, *organisations) -> None:
    from services.notify.handlers import event_handlers

    handlers = event_handlers()
    for org_id, locale, zone in organisations:
        event = new_event(
            "ipmarket.organisation.registered.v1",
            "/ipmarket/catalog",
            org_id,
            {
                "organisation_id": org_id,
                "legal_name_en": f"Bench {locale} Ltd",
                "legal_name_zh": "基准芯片有限公司",
                "country": "CN",
                "region": "mainland_china",
                "roles": ["vendor", "licensee"],
                "locale": locale,
                "timezone": zone,
                "contacts": [],
                "version": 1,
            },
        )
        with context.session_factory() as session, session.begin():
            handlers[event.type](event, session)


def license_data(vendor_id: str, licensee_id: str) -> dict:
    return {
        "vendor_id": vendor_id,
        "licensee_id": licensee_id,
        "core_id": "core-1",
        "vlnv": VLNV,
        "license_id": str(uuid.uuid4()),
        "project_name": "NB-IoT SoC",
        "expires_at": "2027-11-24T16:00:00+00:00",
    }


def pending(context, rows: list[dict], notices: list[dict]) -> None:
    from services.notify.models import Delivery, Notice

    with context.session_factory() as session, session.begin():
        session.execute(Notice.__table__.insert(), notices)
        session.execute(Delivery.__table__.insert(), rows)
