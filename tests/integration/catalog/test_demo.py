"""`ipmarket demo load`: the README walkthrough's marketplace, loaded through the domain code."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from ipmarket.cli import main
from services.catalog.app import build_context, create_app
from services.catalog.models import Core, Organisation
from tests.integration.catalog.conftest import Catalog


@pytest.fixture
def catalog(make_database, monkeypatch) -> Catalog:
    """An empty catalog: the demo's vendors claim their own VLNV vendor names."""
    url = make_database("catalog")
    monkeypatch.setenv("IPMARKET_CATALOG_DATABASE_URL", url)
    catalog = Catalog(build_context(url), create_app(url).test_client(), None, None, None, None)
    yield catalog
    catalog.context.engine.dispose()


def test_demo_load_is_realistic_emits_events_and_is_idempotent(catalog):
    runner = CliRunner()
    first = runner.invoke(main, ["demo", "load"])
    assert first.exit_code == 0, first.output
    keys = [line for line in first.output.splitlines() if "API key ipm_" in line]
    assert len(keys) == 11  # one per new organisation, shown once

    with catalog.context.session_factory() as session:
        published = session.scalar(sa.select(sa.func.count()).where(Core.status == "published"))
        categories = set(session.scalars(sa.select(Core.category).distinct()))
        regions = set(
            session.scalars(
                sa.select(Organisation.region).where(
                    Organisation.roles.cast(sa.String).like("%vendor%")
                )
            )
        )
        licensees = session.scalar(
            sa.select(sa.func.count()).where(
                Organisation.roles.cast(sa.String).like('%"licensee"%')
            )
        )
        cores_without_offers = session.scalar(
            sa.select(sa.func.count()).where(Core.offers.cast(sa.String) == "[]")
        )
    assert published >= 50
    assert len(categories) >= 10
    assert {"mainland_china", "hong_kong", "overseas"} <= regions
    assert licensees >= 2 and cores_without_offers == 0
    assert len(catalog.events("ipmarket.core.published.v1")) >= published
    # Each demo vendor publishes under the VLNV vendor name the operator confirmed for it.
    assert len(catalog.events("ipmarket.vendor_name.confirmed.v1")) == 9

    before = catalog.snapshot()
    second = runner.invoke(main, ["demo", "load"])
    assert second.exit_code == 0, second.output
    assert "API key" not in second.output and "all there already" in second.output
    assert catalog.snapshot() == before


def test_demo_load_json_gives_each_new_organisation_its_id_and_working_key(catalog):
    loaded = CliRunner().invoke(main, ["demo", "load", "--json"])
    assert loaded.exit_code == 0, loaded.output
    document = json.loads(loaded.stdout)
    assert document["added"]["organisations"] == len(document["organisations"]) == 11
    assert document["added"]["cores"] >= 50
    lakeside = document["organisations"]["lakeside"]
    assert lakeside["name"] == "Suzhou Lakeside Chip Design Co., Ltd."
    for organisation in document["organisations"].values():
        answer = catalog.client.get(
            f"/v1/organisations/{organisation['organisation_id']}",
            headers={"Authorization": f"Bearer {organisation['api_key']}"},
        )
        assert answer.status_code == 200, answer.json
        assert answer.json["legal_name_en"] == organisation["name"]

    again = CliRunner().invoke(main, ["demo", "load", "--json"])  # keys are shown once
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout) == {
        "organisations": {},
        "added": {"organisations": 0, "cores": 0},
    }
