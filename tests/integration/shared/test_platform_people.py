"""The platform's people (issue 15), on PostgreSQL and Kafka through the services' HTTP APIs: an
export reviewer made by the command line (`ipmarket people platform-roles`) has no membership,
yet is told of a request waiting for export review, by e-mail in their own language and time
zone; clearing it tells the vendor's approvers that it waits for their decision; taking the
role away holds in every service within 2 s; and the events of the command line name who
acted. The catalog's relay and the licensing and notify consumers run in this process, with a
notify delivery worker and a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import json
import threading
import time

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from ipmarket.broker import free_port
from ipmarket.cli import main
from services.catalog import invitations
from services.catalog.domain.people import Actor
from services.catalog.people_models import Person
from shared.errors import DomainError
from shared.events import people as events
from shared.messaging.outbox import OutboxRelay
from tests.integration.notify.conftest import MailBox
from tests.integration.shared.test_people_journey import CORE, bearer, ok, set_up_totp
from tests.support import wait_until

OPERATOR_EMAIL, OPERATOR_PASSWORD = "ops@vip-platform.hk", "harbour lantern quiet 19"
REVIEWER_EMAIL, REVIEWER_PASSWORD = "rita.view@vip-platform.hk", "granite meadow violin 62"
APPROVER_EMAIL, APPROVER_PASSWORD = "li.wei@xinyuan-micro.cn", "plum kettle orbit 47"
OPERATOR = Actor(platform_roles=frozenset({"operator"}), person_id="operator")
WITHIN = 2.0  # seconds: the bound, from the catalog's answer to every service's refusal


@pytest.fixture
def mail(monkeypatch):
    box = MailBox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setenv("IPMARKET_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("IPMARKET_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("IPMARKET_SMTP_SECURITY", "none")
    yield box
    controller.stop()


@pytest.fixture
def delivering(mail, platform):
    """Licensing's relay (the platform runs the catalog's) and a notify delivery worker."""
    from services.notify.delivery import DeliveryWorker

    licensing = platform.apps["licensing"].extensions["ipmarket"]
    stop = threading.Event()
    workers = [
        DeliveryWorker(platform.apps["notify"].extensions["ipmarket"].session_factory),
        OutboxRelay(licensing.engine, licensing.outbox_model.__table__),
    ]
    threads = [threading.Thread(target=w.run, args=(stop,), daemon=True) for w in workers]
    for thread in threads:
        thread.start()
    yield
    stop.set()
    for thread in threads:
        thread.join(15)


def cli(*args: str, stdin: str | None = None) -> dict:
    result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def outbox_events(platform, event_type: str) -> list[dict]:
    outbox = platform.catalog.outbox_model.__table__
    with platform.catalog.engine.connect() as conn:
        payloads = conn.execute(
            sa.select(outbox.c.payload)
            .where(outbox.c.event_type == event_type)
            .order_by(outbox.c.seq)
        ).scalars()
        return [json.loads(p) for p in payloads]


@pytest.fixture
def reviewer(platform):
    """The platform (its first operator by `ipmarket admin create`, in English) and an export
    reviewer without any membership, whose own settings are zh-Hant and Hong Kong time, made an
    export reviewer by `ipmarket people platform-roles`; signed in."""
    cli(
        "admin",
        "create",
        "--name",
        "Virtual IP Platform",
        "--country",
        "HK",
        "--email",
        OPERATOR_EMAIL,
        "--locale",
        "en",
        "--timezone",
        "UTC",
        stdin=f"{OPERATOR_PASSWORD}\n{OPERATOR_PASSWORD}\n",
    )
    cli(
        "people",
        "create-operator",
        "--email",
        REVIEWER_EMAIL,
        "--name",
        "Rita View",
        "--password",
        REVIEWER_PASSWORD,
    )
    # Her own settings, in the catalog's row before she is made a reviewer: the platform-roles
    # event carries them (PATCH /v1/people/me and its own event: the test of a change below).
    with platform.catalog.session_factory() as session, session.begin():
        session.execute(
            sa.update(Person)
            .where(Person.email == REVIEWER_EMAIL)
            .values(locale="zh-Hant", timezone="Asia/Hong_Kong")
        )
    changed = cli("people", "platform-roles", REVIEWER_EMAIL, "--role", "export_reviewer")
    assert changed["platform_roles"] == ["export_reviewer"]
    signed_in = ok(
        platform.clients["catalog"].post(
            "/v1/sessions", json={"email": REVIEWER_EMAIL, "password": REVIEWER_PASSWORD}
        ),
        201,
    )
    assert signed_in["status"] == "signed_in", signed_in
    return {"person_id": changed["person_id"], "token": signed_in["access_token"]}


def request_waiting_for_export_review(platform, reviewer) -> dict:
    """A vendor (zh-Hans, Shanghai) with an approver and a core; a licensee asks for it to
    Russia, which screening holds for export review: the request."""
    catalog, licensing = platform.clients["catalog"], platform.clients["licensing"]
    _, operator_session = set_up_totp(catalog, OPERATOR_EMAIL, OPERATOR_PASSWORD)
    operator = bearer(operator_session["access_token"])

    vendor = ok(
        catalog.post(
            "/v1/organisations",
            json={
                "legal_name_en": "Shanghai Xinyuan Microelectronics",
                "country": "CN",
                "roles": ["vendor"],
                "locale": "zh-Hans",
                "timezone": "Asia/Shanghai",
            },
            headers=operator,
        ),
        201,
    )
    with platform.catalog.unit_of_work() as uow:
        _, link = invitations.invite_member(
            uow, OPERATOR, vendor["id"], APPROVER_EMAIL, ["approver"]
        )
        invitations.accept_invitation(
            uow, link, name_en="Li Wei", name_zh="李伟", password=APPROVER_PASSWORD
        )
        uow.commit()
    vendor_key = ok(
        catalog.post(
            f"/v1/organisations/{vendor['id']}/api-keys",
            json={"name": "release script", "scopes": ["publisher"]},
            headers=operator,
        ),
        201,
    )["api_key"]
    claim = ok(
        catalog.post(
            f"/v1/organisations/{vendor['id']}/vendor-name-claims",
            json={"name": "xinyuan-micro.cn"},
            headers=bearer(vendor_key),
        ),
        201,
    )
    ok(catalog.post(f"/v1/vendor-name-claims/{claim['id']}/confirm", json={}, headers=operator))
    core = ok(catalog.post("/v1/cores", json=CORE, headers=bearer(vendor_key)), 201)
    core = ok(catalog.post(f"/v1/cores/{core['id']}/publish", headers=bearer(vendor_key)))
    [offer] = [o for o in core["offers"] if o["kind"] == "single_project"]  # needs approval
    licensee = ok(
        catalog.post(
            "/v1/organisations",
            json={"legal_name_en": "Pearl Delta Devices", "country": "HK", "roles": ["licensee"]},
            headers=operator,
        ),
        201,
    )
    licensee_key = ok(
        catalog.post(
            f"/v1/organisations/{licensee['id']}/api-keys",
            json={"name": "design flow"},
            headers=operator,
        ),
        201,
    )["api_key"]
    for credential, path in (
        (licensee_key, "/v1/license-requests"),
        (reviewer["token"], "/v1/screening/rules"),  # an export reviewer's read
    ):
        wait_until(
            lambda c=credential, p=path: platform.status("licensing", p, c) == 200,
            timeout=30,
            what="licensing accepting the credential",
        )

    # EAR99 to Russia: screening holds it for export review.
    body = {
        "core_id": core["id"],
        "offer_id": offer["offer_id"],
        "project_name": "Tianhe SoC",
        "intended_use": "USB 3.2 host controller in a consumer SoC",
        "end_use_country": "RU",
    }

    def submitted():
        response = licensing.post("/v1/license-requests", json=body, headers=bearer(licensee_key))
        return response.json if response.status_code == 201 else None

    request = wait_until(submitted, timeout=30, what="licensing knowing the vendor's core")
    assert request["state"] == "screening", request
    return request


def test_the_export_reviewer_is_told_in_her_language_and_a_clear_tells_the_approvers(
    platform, reviewer, mail, delivering
):
    licensing = platform.clients["licensing"]
    request = request_waiting_for_export_review(platform, reviewer)

    # The reviewer has no membership: she is told as the platform's export reviewer, in zh-Hant
    # and Hong Kong time (her own settings, not the platform's en and UTC).
    requested = "ipmarket.license.requested.v1"
    wait_until(lambda: mail.to(REVIEWER_EMAIL, requested), timeout=60, what="the reviewer's e-mail")
    [message] = mail.to(REVIEWER_EMAIL, requested)
    assert message["Content-Language"] == "zh-Hant"
    assert "的授權申請" in message["Subject"], message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert "Rita View" in text and "(Asia/Hong_Kong)" in text, text

    # She clears it: it now waits for the vendor's approvers, who are told.
    cleared = ok(
        licensing.post(
            f"/v1/license-requests/{request['id']}/review",
            json={"outcome": "allow", "comment": "end user checked"},
            headers=bearer(reviewer["token"]),
        )
    )
    assert cleared["state"] == "pending_approval", cleared
    export_cleared = "ipmarket.license.export_cleared.v1"
    wait_until(
        lambda: mail.to(APPROVER_EMAIL, export_cleared), timeout=60, what="the approver's e-mail"
    )
    [message] = mail.to(APPROVER_EMAIL, export_cleared)
    assert message["Content-Language"] == "zh-Hans"
    assert message["Subject"].startswith("授权申请已通过出口管制复核"), message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert "李伟，您好：" in text and "(Asia/Shanghai)" in text, text


def test_a_reviewer_who_changes_her_language_is_told_in_it_from_then_on(
    platform, reviewer, mail, delivering
):
    """Her own choice on her account (PATCH /v1/people/me) reaches notify (SETTINGS_CHANGED)
    and the next notice to her as export reviewer is in English and Vancouver time."""
    changed = ok(
        platform.clients["catalog"].patch(
            "/v1/people/me",
            json={"locale": "en", "timezone": "America/Vancouver"},
            headers=bearer(reviewer["token"]),
        )
    )
    assert (changed["locale"], changed["timezone"]) == ("en", "America/Vancouver")
    from services.notify.models import KnownPerson

    notify = platform.apps["notify"].extensions["ipmarket"]

    def notify_holds_it() -> bool:
        with notify.session_factory() as session:
            held = session.get(KnownPerson, reviewer["person_id"])
            return held is not None and (held.locale, held.timezone) == ("en", "America/Vancouver")

    wait_until(notify_holds_it, timeout=30, what="notify holding her new settings")
    request_waiting_for_export_review(platform, reviewer)
    requested = "ipmarket.license.requested.v1"
    wait_until(lambda: mail.to(REVIEWER_EMAIL, requested), timeout=60, what="the reviewer's e-mail")
    [message] = mail.to(REVIEWER_EMAIL, requested)
    assert message["Content-Language"] == "en"
    text = message.get_body(("plain",)).get_content()
    assert "Rita View" in text and "(America/Vancouver)" in text, text


def test_a_demoted_export_reviewer_is_refused_by_every_service_within_two_seconds(
    platform, reviewer
):
    token = reviewer["token"]

    def reviewer_held(context) -> bool:
        try:
            return context.person_principal(token, None).platform_roles == {"export_reviewer"}
        except DomainError:
            return False  # the token key or the person not arrived yet

    for service, app in platform.apps.items():
        wait_until(
            lambda c=app.extensions["ipmarket"]: reviewer_held(c),
            timeout=30,
            what=f"{service} holding the export reviewer",
        )
    cli("people", "platform-roles", REVIEWER_EMAIL)  # no role left
    answered = time.monotonic()
    refused_after: dict[str, float] = {}

    def refused(context) -> bool:
        try:
            return not context.person_principal(token, None).platform_roles
        except DomainError as error:
            assert error.status == 403, error
            return True

    def every_service_refuses() -> bool:
        for service, app in platform.apps.items():
            if service not in refused_after and refused(app.extensions["ipmarket"]):
                refused_after[service] = time.monotonic() - answered
        return len(refused_after) == len(platform.apps)

    wait_until(every_service_refuses, timeout=10, interval=0.01, what="every refusal")
    print(
        "\nexport reviewer demoted: refused after "
        + ", ".join(f"{s} {t * 1000:.0f} ms" for s, t in refused_after.items())
    )
    assert all(t < WITHIN for t in refused_after.values()), refused_after
    # Over HTTP too: licensing's review queue is an export reviewer's.
    assert platform.status("licensing", "/v1/screening/rules", token) == 403


def test_the_command_line_s_events_name_who_acted(platform, reviewer):
    for event_type in (events.MEMBER_JOINED, events.PLATFORM_ROLES_CHANGED):
        found = outbox_events(platform, event_type)
        assert found, event_type
        for event in found:
            assert event["actorkind"] == "system", event
            assert event["actorid"].startswith("ipmarket "), event
            assert event["actorname"].startswith("cli:"), event
    joined = outbox_events(platform, events.MEMBER_JOINED)[0]["data"]
    assert joined["platform_roles"] == ["operator"] and joined["email"] == OPERATOR_EMAIL
    # Over HTTP: an application (anyone may apply) names the catalog by its route; the
    # operator's decision names the operator.
    catalog = platform.clients["catalog"]
    application = ok(
        catalog.post(
            "/v1/organisation-applications",
            json={
                "legal_name_en": "Pearl Delta Devices",
                "country": "HK",
                "registration_number": "HK-1234567",
                "roles": ["licensee"],
                "contact_name": "Wong Ka Yan",
                "contact_email": "ky.wong@pearl-delta.hk",
                "locale": "zh-Hant",
                "timezone": "Asia/Hong_Kong",
            },
        ),
        201,
    )
    _, operator_session = set_up_totp(catalog, OPERATOR_EMAIL, OPERATOR_PASSWORD)
    ok(
        catalog.post(
            f"/v1/organisation-applications/{application['id']}/decline",
            json={"reason": "registration number not found"},
            headers=bearer(operator_session["access_token"]),
        )
    )
    [applied] = outbox_events(platform, events.ORGANISATION_APPLIED)
    assert (applied["actorkind"], applied["actorid"]) == ("system", "catalog.people.apply")
    [declined] = outbox_events(platform, events.ORGANISATION_APPLICATION_DECLINED)
    with platform.catalog.session_factory() as session:
        operator_id = session.scalar(sa.select(Person.id).where(Person.email == OPERATOR_EMAIL))
    assert (declined["actorkind"], declined["actorid"]) == ("person", operator_id)
    assert declined["actorname"] == "ops"  # the operator's name: --email before the @
