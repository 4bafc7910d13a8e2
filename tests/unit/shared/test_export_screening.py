"""Export screening: territory restrictions, embargoes, the rule table, then review."""

from __future__ import annotations

from shared.export_screening import RuleTable, ScreeningDecision, screen_export

TABLE = RuleTable(
    7,
    (
        {
            "rule_id": "ear99",
            "eccn": "EAR99",
            "destinations": ["*"],
            "outcome": "allow",
            "reason_code": "NO_LICENSE_REQUIRED",
        },
        {
            "rule_id": "3e-hk",
            "eccn": "3E*",
            "destinations": ["HK", "cn"],
            "outcome": "review",
            "reason_code": "CONTROLLED_TECHNOLOGY",
        },
        {
            "rule_id": "3e-all",
            "eccn": "3E*",
            "destinations": ["*"],
            "outcome": "deny",
            "reason_code": "LICENSE_REQUIRED",
        },
    ),
    frozenset({"KP"}),
)


def screen(eccn="EAR99", destination="DE", restrictions=()):
    return screen_export(
        TABLE, eccn=eccn, destination=destination, territory_restrictions=list(restrictions)
    )


def test_a_matching_rule_decides_and_names_itself_and_the_version():
    assert screen() == ScreeningDecision("allow", "NO_LICENSE_REQUIRED", "ear99", 7)


def test_the_first_matching_rule_wins():
    assert screen("3E001", "HK").rule_id == "3e-hk"
    assert screen("3E001", "US").rule_id == "3e-all"


def test_destinations_and_eccns_match_whatever_their_case_and_spaces():
    assert screen(" 3e001 ", "cn ").outcome == "review"


def test_an_embargoed_destination_is_denied_whatever_the_eccn():
    decision = screen("EAR99", "KP")
    assert (decision.outcome, decision.reason_code) == ("deny", "EMBARGOED_DESTINATION")


def test_the_vendors_territory_restrictions_come_first():
    decision = screen("EAR99", "RU", restrictions=["ru"])
    assert (decision.outcome, decision.rule_id) == ("deny", "vendor-territory")


def test_no_matching_rule_sends_the_request_to_review():
    assert screen("5A002", "DE").as_dict() == {
        "outcome": "review",
        "reason_code": "NO_MATCHING_RULE",
        "rule_id": "default",
        "rule_set_version": 7,
    }


def test_a_rule_table_is_made_of_a_stored_rule_set_with_upper_case_embargoes():
    class Stored:
        version, rules, embargoed = 3, [{"rule_id": "r"}], ["ir", "KP"]

    table = RuleTable.of(Stored())
    assert table == RuleTable(3, ({"rule_id": "r"},), frozenset({"IR", "KP"}))
