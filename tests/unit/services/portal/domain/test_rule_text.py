"""The screening rule table as the console edits it: text to rules and back, the line of each
error, and what a version changes."""

from __future__ import annotations

from services.portal.domain import rule_text

RULES = [
    {
        "rule_id": "ear99",
        "eccn": "EAR99",
        "destinations": ["*"],
        "outcome": "allow",
        "reason_code": "EAR99_NO_LICENSE_REQUIRED",
    },
    {
        "rule_id": "3e001-review",
        "eccn": "3E001",
        "destinations": ["CN", "HK"],
        "outcome": "review",
        "reason_code": "ADVANCED_IC_TECHNOLOGY_REVIEW",
    },
]


def test_rules_written_as_text_read_back_the_same():
    text = rule_text.rules_text(RULES)
    assert text.splitlines()[1] == "3e001-review 3E001 CN,HK review ADVANCED_IC_TECHNOLOGY_REVIEW"
    parsed = rule_text.parse_rules(text)
    assert (parsed.rules, parsed.lines, parsed.errors) == (RULES, [1, 2], [])


def test_blank_and_comment_lines_are_skipped_and_each_rule_keeps_its_line():
    text = "# allowed\n\n" + rule_text.rules_text(RULES) + "\nbroken line\n"
    parsed = rule_text.parse_rules(text)
    assert parsed.lines == [3, 4]
    assert parsed.errors == [(5, 2)]


def test_a_service_error_on_a_rule_names_the_text_line_and_column():
    lines = [3, 7]
    assert rule_text.rule_error_line("rules.1.eccn", lines) == (7, "eccn")
    assert rule_text.rule_error_line("rules.0.destinations.2", lines) == (3, "destinations")
    assert rule_text.rule_error_line("rules.0", lines) == (3, "")
    assert rule_text.rule_error_line("rules.5.eccn", lines) is None
    assert rule_text.rule_error_line("comment", lines) is None


def test_countries_are_read_upper_case_once_each_in_order():
    assert rule_text.parse_countries(" kp, IR  cu,kp ") == ["KP", "IR", "CU"]
    assert rule_text.parse_countries("") == []


def test_a_diff_shows_rules_removed_added_and_kept_in_order_and_the_embargo_change():
    old = {"rules": RULES, "embargoed": ["CU", "IR"]}
    moved = [RULES[1], {**RULES[0], "destinations": ["SG"]}]
    changes = rule_text.diff(old, {"rules": moved, "embargoed": ["IR", "KP"]})
    kinds = [(kind, line.split()[0]) for kind, line in changes.lines]
    assert ("removed", "ear99") in kinds and ("added", "ear99") in kinds
    assert ("same", "3e001-review") in kinds
    assert (changes.embargo_added, changes.embargo_removed) == (["KP"], ["CU"])
    assert changes.changed


def test_an_unchanged_version_and_a_first_version():
    same = {"rules": RULES, "embargoed": ["CU"]}
    assert not rule_text.diff(same, dict(same)).changed
    first = rule_text.diff(None, same)
    assert [kind for kind, _ in first.lines] == ["added", "added"]
    assert first.embargo_added == ["CU"]
