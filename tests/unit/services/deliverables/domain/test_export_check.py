"""A download screened again with the rules in force: only a denial refuses, with its reason."""

from __future__ import annotations

from services.deliverables.domain.export_check import denial
from shared.export_screening import RuleTable

RULES = RuleTable(
    3,
    (
        {
            "rule_id": "strong-crypto",
            "eccn": "5E*",
            "destinations": ["CN"],
            "outcome": "deny",
            "reason_code": "CRYPTO_EXPORT_DENIED",
        },
        {
            "rule_id": "ear99",
            "eccn": "EAR99",
            "destinations": ["*"],
            "outcome": "allow",
            "reason_code": "EAR99_ALLOWED",
        },
    ),
    frozenset({"KP"}),
)


def test_a_destination_the_rules_deny_is_refused_naming_rule_reason_and_version():
    denied = denial(RULES, eccn="5E002", destination="cn", territory_restrictions=[])
    assert (denied.reason_code, denied.rule_id, denied.rule_set_version) == (
        "CRYPTO_EXPORT_DENIED",
        "strong-crypto",
        3,
    )


def test_an_embargoed_destination_is_refused_whatever_the_eccn():
    assert denial(RULES, eccn="EAR99", destination="KP", territory_restrictions=[]).reason_code == (
        "EMBARGOED_DESTINATION"
    )


def test_allowed_or_for_review_goes():
    assert denial(RULES, eccn="EAR99", destination="CN", territory_restrictions=[]) is None
    assert denial(RULES, eccn="3A001", destination="DE", territory_restrictions=[]) is None


def test_the_vendors_territory_restrictions_hold_even_before_any_rule_set_is_heard_of():
    assert denial(None, eccn="EAR99", destination="DE", territory_restrictions=[]) is None
    refused = denial(None, eccn="EAR99", destination="RU", territory_restrictions=["RU"])
    assert refused.reason_code == "VENDOR_TERRITORY_RESTRICTION"


def test_without_a_destination_nothing_is_screened_and_without_an_eccn_no_eccn_rule():
    assert denial(RULES, eccn="5E002", destination=None, territory_restrictions=["CN"]) is None
    assert denial(RULES, eccn=None, destination="CN", territory_restrictions=[]) is None
    assert denial(RULES, eccn=None, destination="KP", territory_restrictions=[]) is not None
