"""Real parts for the notify tests: an SMTP server (aiosmtpd), an HTTP receiver that checks every
webhook with the independent `standardwebhooks` package, and the directory of organisations
filled the way the consumer fills it (by its handlers, from real events)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from standardwebhooks import Webhook, WebhookVerificationError

from ipmarket.broker import free_port
from shared.directory import generate_api_key
from shared.events import new_event

# --- SMTP -------------------------------------------------------------------------------------


class MailBox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.lock = threading.Lock()
        self.delay = 0.0  # seconds before accepting each message
        self.refuse = 0  # how many of the next messages to turn away with 451
        self.refused: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse:
            self.refuse -= 1
            self.refused.append(envelope.content)
            return "451 4.3.0 Try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def to(self, address: str, event_type: str | None = None) -> list:
        with self.lock:
            return [
                m
                for m in self.messages
                if m["To"].addresses[0].addr_spec == address
                and event_type in (None, m["X-Ipmarket-Event-Type"])
            ]


@pytest.fixture
def smtp_server(monkeypatch):
    """A real SMTP server on loopback; the notify settings point at it."""
    box = MailBox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setenv("IPMARKET_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("IPMARKET_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("IPMARKET_SMTP_SECURITY", "none")
    box.port = controller.port
    yield box
    controller.stop()


# --- HTTP receiver ----------------------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    at: float
    verified: bool
    status: int

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers per path: `answers[path]` is a list of (status, headers) used in turn (the last
    one repeats); default 204. `secrets[path]` verifies the signature of every delivery."""

    base_url: str = ""
    answers: dict = field(default_factory=dict)
    secrets: dict = field(default_factory=dict)
    received: list = field(default_factory=list)
    delay: dict = field(default_factory=dict)  # path → seconds before answering
    held: dict = field(default_factory=dict)  # path → threading.Event: answered once it is set
    arrived: list = field(default_factory=list)  # paths of requests read, before any delay
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on(self, path: str, event_type: str | None = None) -> list[Received]:
        with self.lock:
            return [
                r
                for r in self.received
                if r.path == path and event_type in (None, r.payload["type"])
            ]

    def answer_for(self, path: str, count: int) -> tuple[int, dict]:
        answers = self.answers.get(path) or [(204, {})]
        return answers[min(count, len(answers) - 1)]


def _handler_for(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            verified = False
            secret = receiver.secrets.get(self.path)
            if secret:
                try:
                    Webhook(secret).verify(body, headers)
                    verified = True
                except WebhookVerificationError:
                    verified = False
            with receiver.lock:
                receiver.arrived.append(self.path)
            if self.path in receiver.delay:
                time.sleep(receiver.delay[self.path])
            if self.path in receiver.held:
                receiver.held[self.path].wait(timeout=120)
            with receiver.lock:
                count = len([r for r in receiver.received if r.path == self.path])
                status, extra = receiver.answer_for(self.path, count)
                receiver.received.append(
                    Received(self.path, headers, body, time.monotonic(), verified, status)
                )
            answer = b'{"ok": true}' if status < 300 else b"nope"
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a sender closing its keep-alive connection is not news


@pytest.fixture
def receiver():
    receiver = Receiver()
    server = _QuietServer(("127.0.0.1", 0), _handler_for(receiver))
    receiver.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
    )
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


# --- the directory, filled by the consumer's own handlers -------------------------------------


def organisation_event(
    org_id: str,
    *,
    name: str,
    country: str,
    roles: list[str],
    locale: str,
    timezone: str,
    contacts: list[dict],
    name_zh: str | None = None,
    version: int = 1,
):
    region = {"CN": "mainland_china", "HK": "hong_kong", "TW": "taiwan"}.get(country, "overseas")
    return new_event(
        "ipmarket.organisation.registered.v1",
        "/ipmarket/catalog",
        org_id,
        {
            "organisation_id": org_id,
            "legal_name_en": name,
            "legal_name_zh": name_zh,
            "country": country,
            "region": region,
            "roles": roles,
            "locale": locale,
            "timezone": timezone,
            "contacts": contacts,
            "version": version,
        },
    )


def key_event(org_id: str, key_hash: str, key_id: str):
    return new_event(
        "ipmarket.api_key.created.v1",
        "/ipmarket/catalog",
        org_id,
        {
            "key_id": key_id,
            "organisation_id": org_id,
            "name": "test key",
            "key_hash": key_hash,
            "created_at": "2026-11-24T00:00:00+00:00",
        },
    )


@pytest.fixture
def notify_context(platform_env):
    from services.notify.app import build_context

    context = build_context()
    yield context
    context.engine.dispose()


@pytest.fixture
def handle(notify_context):
    """handle(event): run the notify consumer's handler for `event` in one transaction, as the
    consumer does (without the broker in between)."""
    from services.notify.handlers import event_handlers

    handlers = event_handlers()

    def run(event):
        with notify_context.session_factory() as session, session.begin():
            handlers[event.type](event, session)
        return event

    return run


@pytest.fixture
def organisation(handle):
    """organisation(name, …) → (organisation id, API key) known to the notify service."""
    import uuid

    def make(
        name: str,
        *,
        country: str = "US",
        roles=("licensee",),
        locale: str = "en",
        timezone: str = "UTC",
        contacts=None,
        name_zh=None,
    ) -> tuple[str, str]:
        org_id = str(uuid.uuid4())
        contacts = (
            contacts
            if contacts is not None
            else [{"name": f"{name} ops", "email": f"ops@{org_id[:8]}.example", "notices": ["all"]}]
        )
        handle(
            organisation_event(
                org_id,
                name=name,
                country=country,
                roles=list(roles),
                locale=locale,
                timezone=timezone,
                contacts=contacts,
                name_zh=name_zh,
            )
        )
        key, key_hash = generate_api_key()
        handle(key_event(org_id, key_hash, str(uuid.uuid4())))
        return org_id, key

    return make


@pytest.fixture
def delivery_worker(notify_context):
    """A delivery worker sending on a thread until the test ends."""
    from services.notify.delivery import DeliveryWorker

    stop = threading.Event()
    worker = DeliveryWorker(notify_context.session_factory)
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    yield worker
    stop.set()
    thread.join(15)
