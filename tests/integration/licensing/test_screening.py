"""Export screening, table-driven over ECCNs and destinations, against the default rule set
that migration 0002 installs (read from a real database) and against the vendor's territory
restrictions."""

from __future__ import annotations

import pytest

from services.licensing.models import ScreeningRuleSet
from services.licensing.rule_sets import current_rule_set
from shared.export_screening import screen_export


@pytest.fixture(scope="module")
def default_rules(postgres, postgres_admin_engine):
    """The rule set as migrated, detached from its session (screening is pure logic)."""
    import uuid

    import sqlalchemy as sa

    from shared.db.engine import create_engine
    from shared.db.migrations import upgrade
    from shared.db.session import session_factory

    name = f"licensing_{uuid.uuid4().hex[:12]}"
    with postgres_admin_engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = str(
        sa.make_url(create_engine(postgres.get_uri()).url)
        .set(database=name)
        .render_as_string(hide_password=False)
    )
    upgrade("licensing", url)
    engine = create_engine(url)
    with session_factory(engine)() as session:
        rule_set = current_rule_set(session)
    engine.dispose()
    return rule_set


@pytest.mark.parametrize(
    "eccn, destination, outcome, reason_code, rule_id",
    [
        # EAR99: allowed almost everywhere, never to embargoed destinations
        ("EAR99", "SG", "allow", "EAR99_NO_LICENSE_REQUIRED", "ear99"),
        ("EAR99", "CN", "allow", "EAR99_NO_LICENSE_REQUIRED", "ear99"),
        ("ear99", "de", "allow", "EAR99_NO_LICENSE_REQUIRED", "ear99"),
        ("EAR99", "RU", "review", "RESTRICTED_DESTINATION_REVIEW", "ear99-ru-by"),
        ("EAR99", "CU", "deny", "EMBARGOED_DESTINATION", "embargo"),
        ("EAR99", "KP", "deny", "EMBARGOED_DESTINATION", "embargo"),
        # 3E001: technology for integrated circuits
        ("3E001", "IR", "deny", "EMBARGOED_DESTINATION", "embargo"),
        ("3E001", "SY", "deny", "EMBARGOED_DESTINATION", "embargo"),
        ("3E001", "RU", "deny", "RESTRICTED_DESTINATION_CONTROLLED_ITEM", "controlled-ru-by"),
        ("3E001", "BY", "deny", "RESTRICTED_DESTINATION_CONTROLLED_ITEM", "controlled-ru-by"),
        ("3E001", "CN", "review", "ADVANCED_IC_TECHNOLOGY_REVIEW", "3e001-review"),
        ("3E001", "HK", "review", "ADVANCED_IC_TECHNOLOGY_REVIEW", "3e001-review"),
        ("3E001", "JP", "allow", "NO_LICENSE_REQUIRED_FOR_DESTINATION", "3e001"),
        # 5E002: encryption technology
        ("5E002", "CN", "review", "ENCRYPTION_TECHNOLOGY_REVIEW", "5e002-review"),
        ("5E002", "US", "allow", "ENCRYPTION_LICENSE_EXCEPTION", "5e002"),
        ("5E002", "RU", "deny", "RESTRICTED_DESTINATION_CONTROLLED_ITEM", "controlled-ru-by"),
        # any other controlled ECCN goes to a person
        ("3A001", "SG", "review", "CONTROLLED_ITEM_REVIEW", "controlled-default"),
        ("4E001", "CN", "review", "CONTROLLED_ITEM_REVIEW", "controlled-default"),
    ],
)
def test_default_rule_set(default_rules, eccn, destination, outcome, reason_code, rule_id):
    decision = screen_export(
        default_rules, eccn=eccn, destination=destination, territory_restrictions=[]
    )
    assert (decision.outcome, decision.reason_code, decision.rule_id) == (
        outcome,
        reason_code,
        rule_id,
    )
    assert decision.rule_set_version == 1


@pytest.mark.parametrize(
    "eccn, destination, restrictions, outcome, rule_id",
    [
        ("EAR99", "CN", ["CN"], "deny", "vendor-territory"),  # the vendor's own restriction wins
        ("EAR99", "cn", ["CN", "TW"], "deny", "vendor-territory"),
        ("EAR99", "HK", ["CN"], "allow", "ear99"),  # Hong Kong is not Mainland China
        ("3E001", "IR", ["IR"], "deny", "vendor-territory"),
    ],
)
def test_vendor_territory_restrictions_come_first(
    default_rules, eccn, destination, restrictions, outcome, rule_id
):
    decision = screen_export(
        default_rules, eccn=eccn, destination=destination, territory_restrictions=restrictions
    )
    assert (decision.outcome, decision.rule_id) == (outcome, rule_id)


@pytest.mark.parametrize(
    "eccn, destination, outcome, rule_id",
    [
        ("5E002", "FR", "allow", "eu-crypto"),
        ("5E992", "FR", "allow", "eu-crypto"),  # a pattern: any 5E…
        ("5E002", "US", "deny", "crypto-elsewhere"),
        ("3E001", "FR", "review", "default"),  # no rule matched
        ("EAR99", "NZ", "deny", "embargo"),
    ],
)
def test_rules_are_data_first_match_wins(eccn, destination, outcome, rule_id):
    rule_set = ScreeningRuleSet(
        version=7,
        embargoed=["NZ"],
        comment="test",
        rules=[
            {
                "rule_id": "eu-crypto",
                "eccn": "5E*",
                "destinations": ["FR", "DE"],
                "outcome": "allow",
                "reason_code": "EU_OK",
            },
            {
                "rule_id": "crypto-elsewhere",
                "eccn": "5E*",
                "destinations": ["*"],
                "outcome": "deny",
                "reason_code": "NO_CRYPTO",
            },
            {
                "rule_id": "ear99",
                "eccn": "EAR99",
                "destinations": ["*"],
                "outcome": "allow",
                "reason_code": "OK",
            },
        ],
    )
    decision = screen_export(
        rule_set, eccn=eccn, destination=destination, territory_restrictions=[]
    )
    assert (decision.outcome, decision.rule_id, decision.rule_set_version) == (outcome, rule_id, 7)


def test_the_rule_table_in_force_is_read_once_per_version_and_database(make_database):
    """Issuance reads rule-set versions from process memory: a new version is used at once, and
    the same version number in another database is that database's own table."""
    import sqlalchemy as sa

    from services.licensing.rule_sets import publish_rule_set
    from services.licensing.rule_table_cache import rule_table, version_in_force
    from shared.db.engine import create_engine
    from shared.db.session import session_factory

    def in_force(engine):
        with session_factory(engine)() as session:
            return rule_table(session, session.scalar(sa.select(version_in_force())))

    first, second = (create_engine(make_database("licensing")) for _ in range(2))
    try:
        assert in_force(first) == in_force(second) and in_force(first).version == 1
        for engine, destination in ((first, "SG"), (second, "DE")):
            with session_factory(engine)() as session, session.begin():
                publish_rule_set(
                    session,
                    rules=[],
                    embargoed=[destination],
                    comment="test",
                    created_by=None,
                    based_on=1,
                )
        assert (in_force(first).version, in_force(first).embargoed) == (2, {"SG"})
        assert (in_force(second).version, in_force(second).embargoed) == (2, {"DE"})
    finally:
        first.dispose()
        second.dispose()
