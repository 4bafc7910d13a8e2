"""Fixtures of the deliverables tests: the object store on each backend (a directory, and a real
SeaweedFS S3 server started for the session), and the service's app on a fresh PostgreSQL
database with the directory, core versions and licenses fed through its own handlers."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from services.deliverables import handlers
from services.deliverables.storage.directory import DirectoryStore
from services.deliverables.storage.s3 import S3Store
from shared.db.schema import new_id, utcnow
from shared.directory import generate_api_key
from shared.events import new_event
from tests.integration.deliverables.seaweedfs import ACCESS_KEY, SECRET_KEY, SeaweedFS
from tests.support import wait_until

BACKENDS = ("directory", "s3")
SIGNING_SECRET = "deliverables test secret, long enough to be accepted"


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory):
    server = SeaweedFS(tmp_path_factory.mktemp("seaweedfs"))
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.home / "data", ignore_errors=True)  # the disk is shared: no GiB left


def s3_store(server: SeaweedFS) -> S3Store:
    """A store on a bucket of its own; the first one waits for the server to take writes."""
    bucket = f"t-{uuid.uuid4().hex[:12]}"
    stores = []

    def connected() -> bool:
        try:
            stores.append(
                S3Store.connect(
                    endpoint_url=server.endpoint_url,
                    bucket=bucket,
                    region="us-east-1",
                    access_key_id=ACCESS_KEY,
                    secret_access_key=SECRET_KEY,
                )
            )
        except Exception:  # noqa: BLE001 - the volume server is still joining the master
            return False
        return True

    wait_until(connected, timeout=60, interval=0.2)
    return stores[0]


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def make_store(backend, tmp_path, request):
    """make_store() → a store on `backend`; called again, another client of the same storage
    (as a restarted process would have)."""
    made = {}

    def make():
        if backend == "directory":
            return DirectoryStore(tmp_path / "store")
        if "bucket" not in made:
            made["first"] = s3_store(request.getfixturevalue("seaweedfs"))
            made["bucket"] = made["first"].bucket
            return made["first"]
        return S3Store(made["first"].client, made["bucket"])

    yield make
    if "first" in made:  # empty the bucket: the disk is shared
        store = made["first"]
        for page in store.client.get_paginator("list_objects_v2").paginate(Bucket=store.bucket):
            for item in page.get("Contents", []):
                store.client.delete_object(Bucket=store.bucket, Key=item["Key"])
        for upload in store.client.list_multipart_uploads(Bucket=store.bucket).get("Uploads", []):
            store.abort_multipart(upload["Key"], upload["UploadId"])
    shutil.rmtree(tmp_path / "store", ignore_errors=True)


@pytest.fixture(scope="session")
def age_command() -> str:
    """Debian's `age` (installed here if missing: the tests need the real tool, not ours)."""
    if shutil.which("age") is None and shutil.which("apt-get") and os.geteuid() == 0:
        install = ["apt-get", "install", "-y", "-q", "age"]
        if subprocess.run(install, capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], capture_output=True)
            subprocess.run(install, capture_output=True)
    found = shutil.which("age")
    if found is None:
        pytest.fail("the `age` command is needed: apt-get install age")
    return found


# --- the service ---------------------------------------------------------------------------


@dataclass
class Party:
    organisation_id: str
    key: str

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.key}"}


@dataclass
class Marketplace:
    """The deliverables service's projections, fed with events through its own handlers."""

    context: object
    parties: dict[str, Party] = field(default_factory=dict)

    def apply(self, event_type: str, subject: str, data: dict, source: str = "catalog") -> None:
        event = new_event(event_type, f"/ipmarket/{source}", subject, data)
        with self.context.session_factory() as session, session.begin():
            handlers.event_handlers()[event.type](event, session)

    def organisation(self, name: str, roles: list[str]) -> Party:
        org_id = new_id()
        self.apply(
            "ipmarket.organisation.registered.v1",
            org_id,
            {
                "organisation_id": org_id,
                "legal_name_en": name,
                "legal_name_zh": None,
                "country": "HK",
                "region": "hong_kong",
                "roles": roles,
                "locale": "en",
                "timezone": "Asia/Hong_Kong",
                "contacts": [],
                "version": 1,
            },
        )
        key, key_hash = generate_api_key()
        self.apply(
            "ipmarket.api_key.created.v1",
            org_id,
            {
                "key_id": new_id(),
                "organisation_id": org_id,
                "name": "test",
                "key_hash": key_hash,
                "created_at": utcnow().isoformat(),
            },
        )
        party = Party(org_id, key)
        self.parties[name] = party
        return party

    def core(self, vendor: Party, *, version: int = 1, status: str = "published") -> str:
        core_id = new_id()
        self.apply(
            "ipmarket.core.published.v1", core_id, core_state(core_id, vendor, version, status)
        )
        return core_id

    def count(self, table: str) -> int:
        with self.context.engine.connect() as conn:
            return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()


def core_state(core_id: str, vendor: Party, version: int, status: str) -> dict:
    """A core version as the catalog publishes it (shared/events/catalog.py `Core`)."""
    return {
        "core_id": core_id,
        "vendor_id": vendor.organisation_id,
        "vlnv": {"vendor": "pearlriver.hk", "library": "ip", "name": "uart", "version": "1.0"},
        "title_en": "UART 16550",
        "title_zh": None,
        "category": "interface",
        "status": status,
        "eccn": "EAR99",
        "territory_restrictions": [],
        "standards": [],
        "deliverables": [],
        "offers": [],
        "version": version,
    }


@pytest.fixture
def deliverables_env(monkeypatch, make_database) -> str:
    url = make_database("deliverables")
    monkeypatch.setenv("IPMARKET_DELIVERABLES_DATABASE_URL", url)
    monkeypatch.setenv("IPMARKET_SIGNING_KEY_SECRET", SIGNING_SECRET)  # manifests and links
    for name in ("PER_KEY", "PER_ADDRESS", "ANONYMOUS"):
        monkeypatch.setenv(f"IPMARKET_RATE_LIMIT_{name}", "1000000/60")
    return url


@pytest.fixture
def make_app(deliverables_env, make_store):
    """make_app() → the service's Flask app on the test's database and storage; called again, a
    second app on the same ones (a restarted process)."""
    from services.deliverables.app import create_app

    apps = []

    def make():
        apps.append(create_app(store=make_store()))
        return apps[-1]

    yield make
    for app in apps:
        app.extensions["ipmarket"].engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def market(app) -> Marketplace:
    return Marketplace(app.extensions["ipmarket"])
