"""The catalog's app on a fresh PostgreSQL database, and the parties most tests need."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from services.catalog.app import build_context, create_app
from services.catalog.models import ApiKey, Core, Organisation, OutboxMessage, VendorNameClaim
from services.catalog.organisations import create_api_key, register_organisation
from services.catalog.vendor_names import claim_name, decide
from shared.directory import Principal


@dataclass
class Party:
    id: str
    key: str

    @property
    def auth(self) -> dict:
        return {"Authorization": f"Bearer {self.key}"}


@dataclass
class Catalog:
    context: object
    client: object
    admin: Party
    vendor: Party  # Mainland China
    other_vendor: Party  # Hong Kong
    licensee: Party

    def party(self, name, **fields) -> Party:
        with self.context.unit_of_work() as uow:
            org = register_organisation(uow, legal_name_en=name, **fields)
            _, key = create_api_key(uow, org.id, "test")
            uow.commit()
        return Party(org.id, key)

    def confirm_vendor_names(self, party: Party, *names: str) -> None:
        """The party claims VLNV vendor names and the operator confirms them."""
        operator = Principal(
            organisation_id=self.admin.id, roles=frozenset({"admin"}), key_id="test"
        )
        with self.context.unit_of_work() as uow:
            for name in names:
                claim = claim_name(uow, operator, party.id, name)
                decide(uow, operator, claim.id, "confirmed")
            uow.commit()

    def snapshot(self) -> dict:
        """Every row the catalog keeps: a rejected request must leave it exactly as it was
        (but for a key's last use, which authenticating the request records)."""
        with self.context.session_factory() as session:
            return {
                model.__tablename__: sorted(
                    tuple(str(v) for v in row)
                    for row in session.execute(
                        sa.select(*(c for c in model.__table__.columns if c.name != "last_used_at"))
                    )
                )
                for model in (Organisation, ApiKey, Core, VendorNameClaim, OutboxMessage)
            }

    def events(self, event_type: str | None = None) -> list[str]:
        with self.context.session_factory() as session:
            query = sa.select(OutboxMessage.event_type).order_by(OutboxMessage.seq)
            if event_type:
                query = query.where(OutboxMessage.event_type == event_type)
            return list(session.scalars(query))


VENDOR_NAMES = ("xinyuan-micro.cn", "digilentinc.com", "tut.fi", "org.example")


def open_catalog(url: str) -> Catalog:
    """The catalog's app on a migrated database at `url`, with the parties most tests need."""
    context = build_context(url)
    app = create_app(url)
    catalog = Catalog(context, app.test_client(), None, None, None, None)
    catalog.admin = catalog.party("Virtual IP Platform Operator", country="CN", roles=["admin"])
    catalog.vendor = catalog.party(
        "Shanghai Xinyuan Microelectronics",
        country="CN",
        roles=["vendor"],
        legal_name_zh="上海芯元微电子有限公司",
        timezone="Asia/Shanghai",
        locale="zh-Hans",
    )
    catalog.other_vendor = catalog.party(
        "Victoria Harbour Silicon", country="HK", roles=["vendor"], timezone="Asia/Hong_Kong"
    )
    catalog.licensee = catalog.party("Pearl Delta Devices", country="HK", roles=["licensee"])
    # The VLNV vendor names their cores use (with those of the IP-XACT samples they import).
    catalog.confirm_vendor_names(catalog.vendor, *VENDOR_NAMES)
    catalog.confirm_vendor_names(catalog.other_vendor, "vhsilicon.hk")
    return catalog


@pytest.fixture
def catalog(make_database, monkeypatch) -> Catalog:
    url = make_database("catalog")
    monkeypatch.setenv("IPMARKET_CATALOG_DATABASE_URL", url)
    catalog = open_catalog(url)
    yield catalog
    catalog.context.engine.dispose()


def core_body(name: str = "ddr5_phy", version: str = "1.0.0", **overrides) -> dict:
    body = {
        "vlnv": {"vendor": "xinyuan-micro.cn", "library": "ip", "name": name, "version": version},
        "title_en": "DDR5 PHY",
        "title_zh": "高速DDR5物理层接口",
        "description_en": "6400 MT/s DDR5 PHY hard macro with training firmware.",
        "category": "memory_controllers_phys",
        "deliverable_kinds": ["hard_macro_gdsii", "documentation"],
        "standards": ["DDR5", "AXI4"],
        "targets": [{"foundry": "SMIC", "node": "14nm", "maturity": "silicon_proven"}],
        "eccn": "3E001",
        "territory_restrictions": [],
        "deliverables": [{"kind": "hard_macro_gdsii", "name": "ddr5_phy.gds", "sha256": "ab" * 32}],
        "documents": [{"kind": "datasheet", "title": "Datasheet", "sha256": "cd" * 32}],
        "offers": [
            {
                "kind": "single_project",
                "price": {"amount": "120000", "currency": "CNY"},
                "requires_approval": True,
            },
            {"kind": "evaluation", "term_months": 3, "requires_approval": False},
        ],
    }
    body.update(overrides)
    return body


def create_core(
    catalog: Catalog, party: Party | None = None, publish: bool = False, **overrides
) -> dict:
    party = party or catalog.vendor
    response = catalog.client.post("/v1/cores", json=core_body(**overrides), headers=party.auth)
    assert response.status_code == 201, response.json
    core = response.json
    if publish:
        response = catalog.client.post(f"/v1/cores/{core['id']}/publish", headers=party.auth)
        assert response.status_code == 200, response.json
        core = response.json
    return core


def assert_problem(response, status: int, field: str | None = None):
    assert response.status_code == status, (response.status_code, response.get_data(True))
    assert response.content_type == "application/problem+json"
    body = response.json
    assert body["status"] == status and body["title"]
    if field is not None:
        fields = [e["field"] for e in body.get("errors", [])]
        assert field in fields, body
    return body
