"""The four services in-process on fresh PostgreSQL databases, one organisation of each kind,
and credentials carrying exactly one role. The catalog's events reach licensing, notify and
deliverables through their own handlers, parsed from the catalog's outbox as the consumers would
parse them from Kafka (nothing here depends on timing). The broker is there for notify's /metrics
alone, which reads the consumers' lag from it: answered at once rather than after its 3 s
time-out for a broker that is down, on each of the allowed roles' requests.

A credential kind is a function (platform, organisation, role) → request headers, in
CREDENTIALS; the table-driven test runs once per kind: API keys scoped to the role, and people
holding it (a member of the organisation with that role, or a person with that platform role),
signed in, their access token used once the other services have heard of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from services.catalog import invitations, organisations, people, sessions, vendor_names
from services.catalog.app import create_app as create_catalog
from services.catalog.domain.people import Actor
from services.catalog.models import OutboxMessage
from services.catalog.unit_of_work import catalog_work
from services.deliverables.app import create_app as create_deliverables
from services.deliverables.handlers import event_handlers as deliverables_handlers
from services.deliverables.storage.directory import DirectoryStore
from services.licensing.app import create_app as create_licensing
from services.licensing.handlers import event_handlers as licensing_handlers
from services.notify.app import create_app as create_notify
from services.notify.handlers import event_handlers as notify_handlers
from shared import roles
from shared.db.schema import new_id, utcnow
from shared.directory import Principal
from shared.events import new_event
from shared.events.catalog import CORE_PUBLISHED
from shared.events.envelope import parse_event
from shared.events.licensing import LICENSE_ISSUED
from tests.integration.licensing.conftest import USD_PRICE as PRICE
from tests.integration.licensing.conftest import core_state, request_body

CONSUMERS = ("licensing", "notify", "deliverables")  # of the catalog's events

# Bookkeeping of requests themselves, not of what they ask for: counted apart.
NOT_STATE = {"rate_limit_counter", "alembic_version"}


@dataclass
class Organisation:
    id: str
    kind: str


@dataclass
class Platform:
    apps: dict  # service → Flask app
    organisations: dict[str, Organisation] = field(default_factory=dict)  # by kind
    _delivered: int = 0  # catalog outbox rows handed to the other services
    _handlers: dict = field(default_factory=dict)
    _resources: dict = field(default_factory=dict)

    @property
    def catalog(self):
        return self.apps["catalog"].extensions["ipmarket"]

    def client(self, service: str):
        return self.apps[service].test_client()

    def organisation(self, kind: str) -> Organisation:
        if kind not in self.organisations:
            with self.catalog.unit_of_work() as uow:
                org = organisations.register_organisation(
                    uow, legal_name_en=f"A {kind} organisation", country="HK", roles=[kind]
                )
                uow.commit()
            self.organisations[kind] = Organisation(org.id, kind)
            self.deliver()
        return self.organisations[kind]

    def api_key(self, organisation: Organisation, scopes: list[str] | None = None) -> dict:
        """Headers with a new key of the organisation (scoped, or as created without scopes)."""
        with self.catalog.unit_of_work() as uow:
            extra = {} if scopes is None else {"scopes": scopes}
            _, key = organisations.create_api_key(uow, organisation.id, "roles test", **extra)
            uow.commit()
        self.deliver()
        return {"Authorization": f"Bearer {key}"}

    def deliver(self) -> None:
        """Hand the catalog's new events to the other services, as their consumers would."""
        with self.catalog.session_factory() as session:
            rows = session.scalars(
                sa.select(OutboxMessage.payload)
                .where(OutboxMessage.seq > self._delivered)
                .order_by(OutboxMessage.seq)
            ).all()
            self._delivered = session.scalar(sa.select(sa.func.max(OutboxMessage.seq))) or 0
        for payload in rows:
            event = parse_event(payload.encode())
            for service in CONSUMERS:
                handler = self._handlers[service].get(event.type)
                if handler is not None:
                    context = self.apps[service].extensions["ipmarket"]
                    with context.session_factory() as session, session.begin():
                        handler(event, session)

    def resources(self, service: str) -> dict[str, str]:
        """Path parameter → the id of a real thing of the vendor and licensee, so that a refusal
        is shown to leave an existing request, license, order, claim, key, webhook endpoint or
        watch as it was."""
        if service in self._resources:
            return self._resources[service]
        vendor, licensee = self.organisation("vendor"), self.organisation("licensee")
        found: dict[str, str] = {}
        if service == "catalog":
            with self.catalog.unit_of_work() as uow:
                victim, _ = organisations.create_api_key(uow, vendor.id, "to revoke")
                claim = vendor_names.claim_name(
                    uow, Principal(vendor.id, frozenset({"vendor"})), vendor.id, "roles.test"
                )
                uow.commit()
                found = {"key_id": victim.id, "claim_id": claim.id}
            self.deliver()
        elif service == "licensing":
            client, buyer = self.client("licensing"), self.api_key(licensee)
            free = core_state(vendor.id)
            priced = core_state(vendor.id, price=PRICE, requires_approval=False)
            context = self.apps["licensing"].extensions["ipmarket"]
            for core in (free, priced):
                event = new_event(CORE_PUBLISHED, "/ipmarket/catalog", core["core_id"], core)
                with context.session_factory() as session, session.begin():
                    self._handlers["licensing"][event.type](event, session)

            def ask(core, **fields):
                return client.post(
                    "/v1/license-requests", json=request_body(core, **fields), headers=buyer
                ).json

            pending, issued = ask(free), ask(free, offer_id="eval")
            priced = ask(priced)
            order = client.post("/v1/orders", json={"request_id": priced["id"]}, headers=buyer)
            assert pending["state"] == "pending_approval", pending
            assert issued["state"] == "issued" and order.status_code == 201, (issued, order.json)
            found = {
                "request_id": pending["id"],
                "license_id": issued["license_id"],
                "order_id": order.json["id"],
            }
        elif service == "notify":
            client = self.client("notify")
            endpoint = client.post(
                "/v1/endpoints",
                json={"url": "http://127.0.0.1:9/hooks"},  # never called: nothing is sent
                headers=self.api_key(vendor),
            )
            watch = client.post(
                "/v1/watches",
                json={"kind": "vendor", "target_id": vendor.id},
                headers=self.api_key(licensee),
            )
            assert (endpoint.status_code, watch.status_code) == (201, 201), (endpoint, watch)
            found = {"endpoint_id": endpoint.json["id"], "watch_id": watch.json["id"]}
        elif service == "deliverables":
            found = self._deliverables_resources(vendor, licensee)
        self._resources[service] = found
        return found

    def _deliverables_resources(self, vendor: Organisation, licensee: Organisation) -> dict:
        """A core version of the vendor with one file and one upload still open, a license for
        it held by the licensee, and the licensee's age key."""
        from pyrage import x25519

        from tests.integration.deliverables.test_uploads import declare, upload_whole

        client = self.client("deliverables")
        owner = _Headers(self.api_key(vendor))
        core = core_state(vendor.id)
        self._apply("deliverables", CORE_PUBLISHED, "catalog", core["core_id"], core)
        data = b"module uart; endmodule\n"
        whole = upload_whole(client, owner, core["core_id"], data, file_name="uart.v")
        still_open = declare(client, owner, core["core_id"], data, file_name="open.v")
        assert (whole.status_code, still_open.status_code) == (201, 201), whole.json
        license_id = new_id()
        self._apply(
            "deliverables",
            LICENSE_ISSUED,
            "licensing",
            license_id,
            {
                "vendor_id": vendor.id,
                "licensee_id": licensee.id,
                "core_id": core["core_id"],
                "vlnv": core["vlnv"],
                "license_id": license_id,
            },
        )
        key = client.post(
            "/v1/recipient-keys",
            json={"public_key": str(x25519.Identity.generate().to_public())},
            headers=self.api_key(licensee),
        )
        assert key.status_code == 201, key.json
        return {
            "core_id": core["core_id"],
            "deliverable_id": whole.json["deliverable_id"],
            "upload_id": still_open.json["upload_id"],
            "key_id": key.json["key_id"],
        }

    def _apply(self, service: str, event_type: str, source: str, subject: str, data: dict):
        event = new_event(event_type, f"/ipmarket/{source}", subject, data)
        context = self.apps[service].extensions["ipmarket"]
        with context.session_factory() as session, session.begin():
            self._handlers[service][event.type](event, session)

    def row_counts(self, service: str) -> dict[str, int]:
        """Rows of each of the service's tables (its outbox among them)."""
        engine = self.apps[service].extensions["ipmarket"].engine
        tables = sorted(set(sa.inspect(engine).get_table_names()) - NOT_STATE)
        query = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables)
        with engine.connect() as conn:
            return dict(conn.execute(sa.text(query)).all())


@dataclass
class _Headers:
    headers: dict


def scoped_key(platform: Platform, organisation: Organisation, role: str) -> dict:
    return platform.api_key(organisation, [role])


PASSWORD = "roles table password, 2026"
# Whoever invites the members (the invitation's author is not what the table checks).
INVITER = Actor(platform_roles=frozenset({roles.OPERATOR}), person_id="roles-test-operator")


def person_with_role(platform: Platform, organisation: Organisation, role: str) -> dict:
    """A person signed in, holding `role`: a member of the organisation with that role, or a
    person with that platform role. Their access token, after the other services have heard
    of them (and of the catalog's token key) as their consumers would."""
    email = f"{role}.{organisation.kind}@roles.example"
    with platform.catalog.unit_of_work() as uow:
        work = catalog_work(uow)
        if role in roles.PLATFORM_ROLES:
            person = people.new_person(
                work, email, f"A {role}", None, PASSWORD, utcnow(), platform_roles=[role]
            )
        else:
            _, link = invitations.invite_member(uow, INVITER, organisation.id, email, [role])
            person, _ = invitations.accept_invitation(
                uow, link, name_en=f"A {role}", password=PASSWORD
            )
        signed_in = sessions.open_session(work, person, "192.0.2.1", "roles test", utcnow())
        uow.commit()
    platform.deliver()
    return {"Authorization": f"Bearer {signed_in.access_token}"}


# credential kind → (platform, organisation, role) → headers of a request acting with that role
CREDENTIALS: dict[str, Callable[[Platform, Organisation, str], dict]] = {
    "key": scoped_key,
    "person": person_with_role,
}


@pytest.fixture
def platform(monkeypatch, make_database, kafka_broker, tmp_path):
    monkeypatch.setenv("IPMARKET_KAFKA_BOOTSTRAP", kafka_broker.bootstrap)
    monkeypatch.setenv("IPMARKET_SIGNING_KEY_SECRET", "roles test secret, long enough to pass")
    monkeypatch.setenv("IPMARKET_WEBHOOK_KEY_SECRET", "roles webhook secret, long enough too")
    monkeypatch.setenv("IPMARKET_WEBHOOK_ALLOW_PRIVATE", "true")
    for limit in ("PER_KEY", "PER_ADDRESS", "ANONYMOUS"):
        monkeypatch.setenv(f"IPMARKET_RATE_LIMIT_{limit}", "1000000/60")
    factories = {"catalog": create_catalog, "licensing": create_licensing, "notify": create_notify}
    apps = {service: create(make_database(service)) for service, create in factories.items()}
    apps["deliverables"] = create_deliverables(
        make_database("deliverables"), store=DirectoryStore(tmp_path / "deliverables")
    )
    platform = Platform(apps)
    platform._handlers = {
        "licensing": licensing_handlers(),
        "notify": notify_handlers(),
        "deliverables": deliverables_handlers(),
    }
    yield platform
    for app in apps.values():
        app.extensions["ipmarket"].engine.dispose()


@pytest.fixture(params=sorted(CREDENTIALS))
def credential(request) -> Callable[[Platform, Organisation, str], dict]:
    """One kind of credential carrying a role (see CREDENTIALS)."""
    return CREDENTIALS[request.param]
