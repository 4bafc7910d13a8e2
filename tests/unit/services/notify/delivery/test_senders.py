"""Sending one delivery with fake transports: a fake HTTP pool for webhooks, a fake SMTP
transport for e-mail (services/notify/delivery/webhook_sender.py, mail_sender.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from standardwebhooks import Webhook

from services.notify import mail
from services.notify.delivery.jobs import EMAIL_LANE, Job
from services.notify.delivery.mail_sender import MailSender
from services.notify.delivery.webhook_sender import RESPONSE_BYTES, WebhookSender
from services.notify.domain import signatures

NOW = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
URL = "https://hooks.example/in"


class FakeResponse:
    def __init__(self, status, body=b"ok", headers=None):
        self.status, self.body, self.headers = status, body, headers or {}
        self.length_remaining = None
        self.released = self.closed = False

    def read(self, limit):
        answer, self.body = self.body[:limit], self.body[limit:]
        self.length_remaining = len(self.body)
        return answer

    def release_conn(self):
        self.released = True

    def close(self):
        self.closed = True


class FakePool:
    """Records each POST and answers with the next prepared response (or raises it)."""

    pool = "open"

    def __init__(self, *answers):
        self.answers, self.posts = list(answers), []

    def urlopen(self, method, path, *, body, headers, **options):
        self.posts.append((method, path, body, headers, options))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def webhook_job(secret: str, endpoint_id: str = "ep-1") -> Job:
    delivery = SimpleNamespace(
        id="d-1", message_id="evt-1", endpoint_id=endpoint_id, channel="webhook"
    )
    notice = SimpleNamespace(
        event_type="ipmarket.license.issued.v1", occurred_at=NOW, data={"license_id": "lic-1"}
    )
    endpoint = SimpleNamespace(
        url=URL,
        schemes=["v1"],
        secret=secret,
        previous_secret=None,
        previous_secret_expires_at=None,
        signing_key=None,
    )
    return Job(delivery, notice, endpoint)


def sender_with(pool: FakePool) -> WebhookSender:
    sender = WebhookSender(connections_per_host=2, timeout_seconds=5)
    sender._pools[URL] = (pool, "/in")
    return sender


def test_a_webhook_is_one_signed_post_without_redirects_or_retries():
    secret = signatures.new_secret()
    pool = FakePool(FakeResponse(204, b""))
    # Signed now: the receiver checks the timestamp against its own clock.
    outcome = sender_with(pool).send(webhook_job(secret), datetime.now(UTC))
    assert outcome.succeeded and outcome.status_code == 204 and outcome.error is None
    ((method, path, body, headers, options),) = pool.posts
    assert (method, path) == ("POST", "/in")
    assert options["redirect"] is False and options["retries"] is False
    assert headers["webhook-id"] == "evt-1"
    assert Webhook(secret).verify(body, headers)["data"] == {"license_id": "lic-1"}


def test_a_whole_answer_keeps_the_connection_a_long_one_drops_it():
    short, long = FakeResponse(200, b"fine"), FakeResponse(200, b"x" * (RESPONSE_BYTES + 1))
    sender = sender_with(FakePool(short, long))
    assert sender.send(webhook_job(signatures.new_secret()), NOW).response == "fine"
    assert short.released and not short.closed
    assert len(sender.send(webhook_job(signatures.new_secret()), NOW).response) == RESPONSE_BYTES
    assert long.closed and not long.released


def test_a_throttled_answer_carries_its_retry_after():
    pool = FakePool(FakeResponse(429, b"slow down", {"retry-after": "30"}))
    outcome = sender_with(pool).send(webhook_job(signatures.new_secret()), NOW)
    assert not outcome.succeeded and outcome.error == "HTTP 429" and outcome.retry_after == 30


def test_a_server_error_ignores_retry_after():
    pool = FakePool(FakeResponse(500, b"", {"retry-after": "30"}))
    outcome = sender_with(pool).send(webhook_job(signatures.new_secret()), NOW)
    assert outcome.retry_after is None and outcome.status_code == 500


def test_410_marks_the_outcome_gone():
    pool = FakePool(FakeResponse(410, b""))
    assert sender_with(pool).send(webhook_job(signatures.new_secret()), NOW).gone


def test_a_connection_failure_is_an_outcome_not_an_exception():
    pool = FakePool(ConnectionRefusedError("refused"))
    outcome = sender_with(pool).send(webhook_job(signatures.new_secret()), NOW)
    assert not outcome.succeeded and outcome.status_code is None
    assert outcome.error.startswith("ConnectionRefusedError")


class FakeTransport:
    def __init__(self, error: mail.MailError | None = None):
        self.sent, self.error = [], error

    def send(self, message):
        if self.error:
            raise self.error
        self.sent.append(message)
        return 250, "accepted"


def email_job(organisation, locale=None, timezone=None) -> Job:
    delivery = SimpleNamespace(
        id="d-2",
        message_id="<m-1@ipmarket>",
        endpoint_id=None,
        channel="email",
        recipient_name="Dana",
        address="dana@gg.example",
        locale=locale,  # a person's own (None: the organisation's)
        timezone=timezone,
    )
    notice = SimpleNamespace(
        event_type="ipmarket.license.issued.v1", occurred_at=NOW, data={"license_id": "lic-1"}
    )
    return Job(delivery, notice, None, organisation, {})


ORGANISATION = SimpleNamespace(
    locale="zh-HK", timezone="Asia/Hong_Kong", legal_name_en="GG IP", legal_name_zh="金門"
)


def test_an_email_goes_to_its_contact_in_the_organisations_language():
    transport = FakeTransport()
    outcome = MailSender(transport).send(email_job(ORGANISATION), NOW)
    assert outcome.succeeded and outcome.status_code == 250
    (message,) = transport.sent
    assert message["Message-ID"] == "<m-1@ipmarket>"
    assert message["Content-Language"] == "zh-Hant"
    assert "dana@gg.example" in message["To"]


def test_an_email_to_a_person_told_by_role_is_in_their_own_language_and_zone():
    transport = FakeTransport()
    MailSender(transport).send(email_job(ORGANISATION, "en", "Europe/London"), NOW)
    (message,) = transport.sent
    assert message["Content-Language"] == "en"
    assert "(Europe/London)" in message.get_body(("plain",)).get_content()


def test_an_email_to_an_unknown_organisation_fails_without_sending():
    transport = FakeTransport()
    outcome = MailSender(transport).send(email_job(None), NOW)
    assert not outcome.succeeded and outcome.error == "organisation unknown"
    assert transport.sent == []


def test_a_refused_email_keeps_the_servers_code():
    transport = FakeTransport(mail.MailError("550 no such user", 550))
    outcome = MailSender(transport).send(email_job(ORGANISATION), NOW)
    assert not outcome.succeeded and outcome.status_code == 550
    assert outcome.error == "550 no such user"


def test_each_endpoint_is_a_lane_of_its_own_and_all_email_shares_one():
    assert webhook_job("s", "ep-9").lane == "ep-9"
    assert email_job(ORGANISATION).lane == EMAIL_LANE
