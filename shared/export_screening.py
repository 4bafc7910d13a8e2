"""Export-control screening, pure: a rule-set version, an ECCN, a destination and the vendor's
territory restrictions give a decision. Licensing screens every license request with it
(services/licensing/domain/screening.py); the deliverables service screens every download again
with the rule set in force, as licensing's SCREENING_RULES_PUBLISHED events tell it, so that a
destination denied since a license was issued gets no more files.

The first that applies decides:
1. the vendor's own territory restrictions (deny),
2. the embargoed destinations (deny, whatever the ECCN),
3. the rules of the table, top to bottom: an ECCN pattern × destinations → allow/review/deny,
4. no rule matched → review by an admin.
Every decision names the rule and the rule-set version that made it, and a reason code that the
licensee sees.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from fnmatch import fnmatchcase
from typing import Protocol

OUTCOMES = ("allow", "review", "deny")
ANY = "*"


class RuleSet(Protocol):
    """A rule-set version: a stored one or a RuleTable."""

    version: int
    rules: Sequence[dict]
    embargoed: Iterable[str]


@dataclass(frozen=True)
class ScreeningDecision:
    outcome: str  # allow, review or deny
    reason_code: str
    rule_id: str
    rule_set_version: int

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RuleTable:
    """A rule-set version as screening reads it. A version never changes once published
    (publishing adds the next one), so a process may keep the versions it has read."""

    version: int
    rules: tuple[dict, ...]
    embargoed: frozenset[str]

    @classmethod
    def of(cls, rule_set: RuleSet) -> RuleTable:
        return cls(
            rule_set.version,
            tuple(rule_set.rules),
            frozenset(c.upper() for c in rule_set.embargoed),
        )


def screen_export(
    rule_set: RuleSet, *, eccn: str, destination: str, territory_restrictions: list[str]
) -> ScreeningDecision:
    eccn, destination = eccn.strip().upper(), destination.strip().upper()

    def decided(outcome: str, reason_code: str, rule_id: str) -> ScreeningDecision:
        return ScreeningDecision(outcome, reason_code, rule_id, rule_set.version)

    if destination in {c.upper() for c in territory_restrictions}:
        return decided("deny", "VENDOR_TERRITORY_RESTRICTION", "vendor-territory")
    if destination in {c.upper() for c in rule_set.embargoed}:
        return decided("deny", "EMBARGOED_DESTINATION", "embargo")
    for rule in rule_set.rules:
        if _matches(rule, eccn, destination):
            return decided(rule["outcome"], rule["reason_code"], rule["rule_id"])
    return decided("review", "NO_MATCHING_RULE", "default")


def _matches(rule: dict, eccn: str, destination: str) -> bool:
    destinations = [d.upper() for d in rule["destinations"]]
    return fnmatchcase(eccn, rule["eccn"].upper()) and (
        ANY in destinations or destination in destinations
    )
