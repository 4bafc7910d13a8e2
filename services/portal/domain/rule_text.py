"""The export-screening rule table as an operator edits it in the console: one rule a line,
`rule_id eccn destinations outcome reason_code` (destinations joined by commas), read top to
bottom as screening reads it; and what changed from one version to the next. Pure: the
licensing service validates every value (ECCN patterns, countries, outcomes, reason codes); this
only splits the text into the rules it names and tells which line each came from.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

COLUMNS = ("rule_id", "eccn", "destinations", "outcome", "reason_code")
MAX_LINES = 1000  # the service's bound on rules


@dataclass
class ParsedRules:
    rules: list[dict] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # the text's line number of each rule
    errors: list[tuple[int, int]] = field(default_factory=list)  # (line, columns found)


def rule_line(rule: dict) -> str:
    return " ".join(
        [
            rule["rule_id"],
            rule["eccn"],
            ",".join(rule["destinations"]),
            rule["outcome"],
            rule["reason_code"],
        ]
    )


def rules_text(rules: list[dict]) -> str:
    return "\n".join(rule_line(rule) for rule in rules)


def parse_rules(text: str) -> ParsedRules:
    """Each non-blank line that does not start with # is a rule of five columns."""
    parsed = ParsedRules()
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        columns = line.split()
        if len(columns) != len(COLUMNS):
            parsed.errors.append((number, len(columns)))
            continue
        rule = dict(zip(COLUMNS, columns, strict=True))
        rule["destinations"] = [d for d in rule["destinations"].split(",") if d]
        parsed.rules.append(rule)
        parsed.lines.append(number)
    return parsed


def parse_countries(text: str) -> list[str]:
    """Country codes separated by commas or spaces, in the order given, once each."""
    seen: dict[str, None] = {}
    for code in re.split(r"[\s,]+", text.strip()):
        if code:
            seen.setdefault(code.upper(), None)
    return list(seen)


@dataclass(frozen=True)
class RuleSetDiff:
    """Line by line: ("same" | "removed" | "added", text); embargoed countries added and
    removed."""

    lines: list[tuple[str, str]]
    embargo_added: list[str]
    embargo_removed: list[str]

    @property
    def changed(self) -> bool:
        return bool(
            self.embargo_added
            or self.embargo_removed
            or any(kind != "same" for kind, _ in self.lines)
        )


def diff(old: dict | None, new: dict) -> RuleSetDiff:
    """What `new` changes of `old` (None: everything is new). Order matters (the first rule
    that matches decides), so a moved rule shows as removed where it was and added where it
    is."""
    before = [rule_line(r) for r in (old or {}).get("rules", [])]
    after = [rule_line(r) for r in new["rules"]]
    lines: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines += [("same", line) for line in before[i1:i2]]
            continue
        lines += [("removed", line) for line in before[i1:i2]]
        lines += [("added", line) for line in after[j1:j2]]
    old_embargo = set((old or {}).get("embargoed", []))
    new_embargo = set(new["embargoed"])
    return RuleSetDiff(lines, sorted(new_embargo - old_embargo), sorted(old_embargo - new_embargo))


def rule_error_line(field_path: str, lines: list[int]) -> tuple[int, str] | None:
    """The text's line and column a service error on `rules.<index>.<column>` is about."""
    match = re.fullmatch(r"rules\.(\d+)(?:\.(\w+))?(?:\.\d+)?", field_path)
    if not match or int(match.group(1)) >= len(lines):
        return None
    return lines[int(match.group(1))], match.group(2) or ""
