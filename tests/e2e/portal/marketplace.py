"""The whole marketplace behind the portal's browser tests, once per session: the catalog,
licensing, notify and deliverables APIs (`ipmarket serve`) on PostgreSQL, their outbox relays
and Kafka consumers on the session's broker, the payment simulator, and the portal in front,
all real processes. The catalog holds the demo directory and the people the workspaces need,
each with a password and, where signing in demands one (platform people) or they chose one
(the buyer), a TOTP second factor.

`People` names them; `sign_in(page, person)` signs a Playwright page in as one; `token(person)`
gives their access token for the steps a test takes through the services' APIs."""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import import_module

import pyotp
import requests
import sqlalchemy as sa

from ipmarket.broker import free_port
from tests.support import Processes, _ready, wait_until

SERVICES = ("catalog", "licensing", "notify", "deliverables")
# Each consuming service's streams, as its consumer reads them.
CONSUMERS = {
    service: tuple(import_module(f"services.{service}.handlers").STREAMS)
    for service in SERVICES
    if import_module(f"services.{service}.handlers").STREAMS
}
STARTING_SECONDS = 240
PASSWORD = "plum kettle orbit 47"  # everyone's: long, and not one of the common ones


@dataclass
class Person:
    """Someone who signs in: their e-mail, password and (if any) TOTP generator. `code()` is
    a code the catalog has not seen yet (each works once; it accepts the step before, this
    one and the next)."""

    key: str
    email: str
    name_en: str
    name_zh: str | None
    organisation_id: str
    roles: tuple[str, ...]
    person_id: str
    password: str = PASSWORD
    totp: pyotp.TOTP | None = None
    last_step: int = 0
    access_token: str | None = field(default=None, repr=False)

    def code(self) -> str:
        assert self.totp is not None, f"{self.email} has no second factor"
        while True:
            now = self.totp.timecode(datetime.now(UTC))
            step = max(now - 1, self.last_step + 1)
            if step <= now + 1:
                self.last_step = step
                return self.totp.generate_otp(step)
            time.sleep(1)  # all three accepted steps used: wait for the clock, not an event


@dataclass
class People:
    """Licensee Lakeside (Suzhou): buyer (TOTP), owner. Vendor Pengcheng (Shenzhen: PCIe, USB,
    MIPI, Ethernet cores): owner, approver, publisher, finance. The platform: operator and
    export reviewer (both TOTP)."""

    licensee_buyer: Person
    licensee_owner: Person
    vendor_owner: Person
    vendor_approver: Person
    vendor_publisher: Person
    vendor_finance: Person
    operator: Person
    export_reviewer: Person

    def all(self) -> list[Person]:
        return list(vars(self).values())


@dataclass
class Marketplace:
    portal: str
    catalog: str
    licensing: str
    notify: str
    deliverables: str
    payment_simulator: str
    people: People
    organisations: dict  # demo key (pengcheng, lakeside, platform, …) → {"id", "name", "api_key"}
    processes: Processes
    env: dict
    bootstrap: str
    prefix: str

    def sign_in(self, page, person: Person, next_path: str = "/account") -> None:
        """Sign PAGE's browser context in as PERSON through the portal's own sign-in pages
        (in whatever language the page speaks), with a fresh TOTP code when asked for one."""
        page.goto(f"{self.portal}/sign-in?next={next_path}")
        form = page.locator("form[action='/sign-in']")
        form.locator("input[name=email]").fill(person.email)
        form.locator("input[name=password]").fill(person.password)
        form.locator("button[type=submit]").click()
        page.wait_for_url(lambda url: "/sign-in" not in url or "/sign-in/code" in url)
        if "/sign-in/code" in page.url:
            code = page.locator("form[action='/sign-in/code']")
            code.locator("input[name=code]").fill(person.code())
            code.locator("button[type=submit]").click()
            page.wait_for_url(lambda url: "/sign-in" not in url)

    def token(self, person: Person) -> str:
        """A fresh access token of PERSON (signing in at the catalog's API)."""
        answer = requests.post(
            f"{self.catalog}/v1/sessions",
            json={"email": person.email, "password": person.password},
            timeout=10,
        )
        assert answer.status_code == 201, answer.text
        result = answer.json()
        if result["status"] == "second_factor_needed":
            answer = requests.post(
                f"{self.catalog}/v1/sessions/second-factor",
                json={"second_factor_token": result["second_factor_token"], "code": person.code()},
                timeout=10,
            )
            assert answer.status_code == 201, answer.text
            result = answer.json()
        person.access_token = result["access_token"]
        return person.access_token

    def settle(self, timeout: float = 60) -> None:
        """Wait until every outbox is published and every consumer has handled all there is on
        its topics: what any service wrote before is known to all that need it. On a time-out
        the message names what was still being waited for."""
        waiting = ["nothing checked yet"]

        def settled() -> bool:
            waiting[0] = _unpublished(self.env) or _consumers_behind(self.bootstrap, self.prefix)
            return not waiting[0]

        try:
            wait_until(
                settled,
                timeout=timeout,
                interval=0.2,
                check=self._check_alive,
                what="the marketplace's events to be relayed and consumed",
            )
        except AssertionError as timed_out:
            raise AssertionError(f"{timed_out}; still waiting for {waiting[0]}") from None

    def _check_alive(self) -> None:
        for name in list(self.processes.running):
            self.processes._check_alive(name)


def _database(postgres, admin_engine, service: str) -> str:
    from shared.db.engine import create_engine
    from shared.db.migrations import upgrade

    name = f"{service}_{uuid.uuid4().hex[:12]}"
    with admin_engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = str(
        sa.make_url(create_engine(postgres.get_uri()).url)
        .set(database=name)
        .render_as_string(hide_password=False)
    )
    upgrade(service, url)
    return url


def _unpublished(env: dict) -> str:
    """The outboxes with rows not yet relayed, or "" when every one is published."""
    waiting = []
    for service in SERVICES:
        engine = sa.create_engine(env[f"IPMARKET_{service.upper()}_DATABASE_URL"])
        try:
            with engine.connect() as conn:
                count = conn.scalar(
                    sa.text("SELECT count(*) FROM outbox WHERE published_at IS NULL")
                )
        finally:
            engine.dispose()
        if count:
            waiting.append(f"{count} unpublished in {service}'s outbox")
    return ", ".join(waiting)


def _consumers_behind(bootstrap: str, prefix: str) -> str:
    """The consumer groups whose committed offsets are behind their topics' ends (or that have
    not joined yet), or "" when every one has caught up."""
    from kafka.errors import KafkaError

    from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    behind = []
    try:
        for service, streams in CONSUMERS.items():
            group = f"{prefix}.{service}.consumer"
            try:
                committed = admin.list_group_offsets(group).get(group, {})
            except KafkaError as exc:  # the group is not there yet: its consumer is starting
                behind.append(f"{group} ({exc!r})")
                continue
            partitions = [
                TopicPartition(f"{prefix}.{stream}", p)
                for stream in streams
                for p in consumer.partitions_for_topic(f"{prefix}.{stream}") or ()
            ]
            for partition, end in consumer.end_offsets(partitions).items():
                done = committed.get(partition)
                if end and (done is None or done.offset < end):
                    at = None if done is None else done.offset
                    behind.append(
                        f"{group} at {at} of {end} on {partition.topic}[{partition.partition}]"
                    )
        return ", ".join(behind)
    finally:
        consumer.close()
        admin.close()


def start(postgres, admin_engine, kafka_broker, log_dir, load_people) -> Marketplace:
    """Databases, demo data and people, then every process; returns once the services know
    the demo directory and the people (their events consumed)."""
    from shared.messaging.kafka_io import create_topics

    prefix = f"p{uuid.uuid4().hex[:10]}"
    create_topics(kafka_broker.bootstrap, prefix, partitions=3, retention_hours=1)
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPMARKET_")}
    env |= {
        f"IPMARKET_{s.upper()}_DATABASE_URL": _database(postgres, admin_engine, s) for s in SERVICES
    }
    env |= {
        "IPMARKET_KAFKA_BOOTSTRAP": kafka_broker.bootstrap,
        "IPMARKET_TOPIC_PREFIX": prefix,
        "IPMARKET_RELAY_IDLE_SECONDS": "0.05",
        "IPMARKET_SIGNING_KEY_SECRET": "browser test secret of the licenses, long enough",
        "IPMARKET_WEBHOOK_KEY_SECRET": "browser test secret of the webhooks, long enough",
        "IPMARKET_PAYMENT_PROVIDER_SECRET": "browser test secret of the payment provider",
        "IPMARKET_PORTAL_SECRET_KEY": "browser test secret of the portal",
        "IPMARKET_RATE_LIMIT_PER_KEY": "1000000/60",
        "IPMARKET_RATE_LIMIT_PER_ADDRESS": "1000000/60",
        "IPMARKET_RATE_LIMIT_ANONYMOUS": "1000000/60",
        # The webhook tests' receivers listen on loopback.
        "IPMARKET_WEBHOOK_ALLOW_PRIVATE": "true",
        "IPMARKET_DELIVERABLES_DIR": str(log_dir / "deliverables"),
        "IPMARKET_MAIL_DIR": str(log_dir / "mail"),
        "IPMARKET_VAR_DIR": str(log_dir / "var"),
    }
    people, organisations = load_people(env["IPMARKET_CATALOG_DATABASE_URL"])
    # Every address is chosen first: each service is told the others' (the portal all of them,
    # licensing its own as the licenses' issuer, the simulator where to call back).
    urls = {name: f"http://127.0.0.1:{free_port()}" for name in (*SERVICES, "portal")}
    env |= {f"IPMARKET_{name.upper()}_URL": url for name, url in urls.items()}
    env["IPMARKET_PAYMENT_SIMULATOR_URL"] = f"http://127.0.0.1:{free_port()}"
    processes = Processes(env, log_dir)
    processes.env = env  # only these settings: no stray IPMARKET_ variable of the caller
    try:
        for name in (*SERVICES, "portal"):
            bind = urls[name].removeprefix("http://")
            processes.start(name, "serve", name, "--bind", bind, "--workers", "1")
        # Thirteen processes starting on a shared machine of two cores: generous time-outs.
        for name in (*SERVICES, "portal"):
            wait_until(
                lambda name=name: _ready(urls[name]),
                timeout=STARTING_SECONDS,
                interval=0.2,
                what=f"{name} /readyz",
                check=lambda name=name: processes._check_alive(name),
            )
        for service in SERVICES:
            processes.start(f"{service}-relay", "relay", service)
        for service in CONSUMERS:
            processes.start(f"{service}-consumer", "consume", service)
        processes.start("payment-simulator", "payment-simulator")
        processes.start("notify-deliver", "deliver")  # webhooks and e-mail sent
        market = Marketplace(
            portal=urls["portal"],
            catalog=urls["catalog"],
            licensing=urls["licensing"],
            notify=urls["notify"],
            deliverables=urls["deliverables"],
            payment_simulator=env["IPMARKET_PAYMENT_SIMULATOR_URL"],
            people=people,
            organisations=organisations,
            processes=processes,
            env=env,
            bootstrap=kafka_broker.bootstrap,
            prefix=prefix,
        )
        # The first sign-in makes the catalog's access-token key; its announcement must reach
        # the other services before anyone's token is shown to them.
        market.token(people.vendor_owner)
        market.settle(timeout=STARTING_SECONDS)
        return market
    except BaseException:
        processes.stop_all()
        raise


# key → (e-mail, English name, Chinese name, demo organisation or "platform", roles, TOTP)
PEOPLE = {
    "licensee_buyer": ("li.wei@lakeside.example", "Li Wei", "李伟", "lakeside", ["buyer"], True),
    "licensee_owner": ("zhao.li@lakeside.example", "Zhao Li", "赵丽", "lakeside", ["owner"], False),
    "vendor_owner": (
        "huang.tao@pengcheng.example", "Huang Tao", "黄涛", "pengcheng", ["owner"], False,
    ),
    "vendor_approver": (
        "chen.jing@pengcheng.example", "Chen Jing", "陈静", "pengcheng", ["approver"], False,
    ),
    "vendor_publisher": (
        "wang.fang@pengcheng.example", "Wang Fang", "王芳", "pengcheng", ["publisher"], False,
    ),
    "vendor_finance": (
        "liu.yang@pengcheng.example", "Liu Yang", "刘洋", "pengcheng", ["finance"], False,
    ),
    "export_reviewer": (
        "rita.view@park.example", "Rita View", None, "platform", ["viewer"], True,
    ),
}  # fmt: skip
OPERATOR = ("ops@park.example", "Olivia Park", "朴奥")


def load_people(database_url: str) -> tuple[People, dict]:
    """The demo directory, the platform's operator, and the people of PEOPLE (each invited by
    the operator and accepting with the password; TOTP enrolled and confirmed where marked)."""
    from ipmarket.devtools import demo
    from services.catalog import invitations, second_factor
    from services.catalog.app import build_context
    from services.catalog.domain.people import Actor
    from services.catalog.people_admin import create_platform_operator
    from services.catalog.unit_of_work import catalog_work
    from shared import roles

    context = build_context(database_url)
    organisations = {}

    def remember(key, org, api_key):
        organisations[key] = {"id": org.id, "name": org.legal_name_en, "api_key": api_key}

    demo.load(context, remember)
    now = datetime.now(UTC)
    people = {}

    def second_factor_for(records, person: Person) -> None:
        uri = second_factor.enrol(records, person.person_id, person.email, now)
        person.totp = pyotp.parse_uri(uri)
        person.last_step = person.totp.timecode(now)
        assert second_factor.confirm(records, person.person_id, person.totp.at(now), now)

    with context.unit_of_work() as uow:
        email, name_en, name_zh = OPERATOR
        made = create_platform_operator(
            uow,
            email=email,
            name_en=name_en,
            password=PASSWORD,
            another=False,
            organisation={
                "legal_name_en": "Science Park IP Platform",
                "country": "CN",
                "locale": "en",
                "timezone": "Asia/Shanghai",
                "contacts": [{"name": name_en, "email": email, "notices": ["all"]}],
            },
        )
        organisations["platform"] = {
            "id": made.organisation.id,
            "name": made.organisation.legal_name_en,
            "api_key": made.api_key[1],
        }
        operator_id, platform_id = made.person.id, made.organisation.id
        people["operator"] = Person(
            "operator", email, name_en, name_zh, platform_id, (roles.OWNER,), operator_id
        )
        second_factor_for(catalog_work(uow).records, people["operator"])
        uow.commit()
    operator = Actor(platform_roles=frozenset({roles.OPERATOR}), person_id=made.person.id)
    for key, (email, name_en, name_zh, org_key, member_roles, totp) in PEOPLE.items():
        org_id = organisations[org_key]["id"]
        with context.unit_of_work() as uow:
            _, token = invitations.invite_member(uow, operator, org_id, email, member_roles)
            person, _ = invitations.accept_invitation(
                uow, token, name_en=name_en, name_zh=name_zh, password=PASSWORD
            )
            if key == "export_reviewer":
                person.platform_roles = [roles.EXPORT_REVIEWER]
            people[key] = Person(
                key, email, name_en, name_zh, org_id, tuple(member_roles), person.id
            )
            if totp:
                second_factor_for(catalog_work(uow).records, people[key])
            uow.commit()
    context.engine.dispose()
    return People(**people), organisations
