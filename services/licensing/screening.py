"""Export-control screening: the first step of every license request.

The rule table is data (versioned rows of `ScreeningRuleSet`, changed by an admin through the
API), not code. Screening a request checks, in this order, and the first that applies decides:
1. the vendor's own territory restrictions (deny),
2. the embargoed destinations (deny, whatever the ECCN),
3. the rules of the table, top to bottom: an ECCN pattern × destinations → allow/review/deny,
4. no rule matched → review by an admin.
Every decision names the rule and the rule-set version that made it, and a reason code that the
licensee sees. The default table (migration 0002) is illustrative, not legal advice.
"""
from __future__ import annotations

import weakref
from dataclasses import asdict, dataclass
from fnmatch import fnmatchcase

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.licensing.models import ScreeningRuleSet
from shared.errors import Conflict, NotFound

OUTCOMES = ("allow", "review", "deny")
ANY = "*"


@dataclass(frozen=True)
class ScreeningDecision:
    outcome: str  # allow, review or deny
    reason_code: str
    rule_id: str
    rule_set_version: int

    def as_dict(self) -> dict:
        return asdict(self)


def screen_export(rule_set: ScreeningRuleSet | RuleTable, *, eccn: str, destination: str,
                  territory_restrictions: list[str]) -> ScreeningDecision:
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
    return (fnmatchcase(eccn, rule["eccn"].upper())
            and (ANY in destinations or destination in destinations))


@dataclass(frozen=True)
class RuleTable:
    """A rule-set version as screening reads it. A version never changes once published
    (publishing adds the next one), so each process keeps the versions it has read."""
    version: int
    rules: tuple[dict, ...]
    embargoed: frozenset[str]


# By database engine (weakly: tests come and go), then version.
_tables: weakref.WeakKeyDictionary[sa.Engine, dict[int, RuleTable]] = weakref.WeakKeyDictionary()


def version_in_force():
    """Scalar subquery: the version of the rule set in force, to read with other rows."""
    return sa.select(sa.func.max(ScreeningRuleSet.version)).scalar_subquery()


def rule_table(session: Session, version: int | None) -> RuleTable:
    """Rule-set `version` (from `version_in_force()`), read from the database once."""
    if version is None:
        raise NotFound("no screening rule set exists")
    tables = _tables.setdefault(session.get_bind(), {})
    table = tables.get(version)
    if table is None:
        rule_set = rule_set_version(session, version)
        table = tables[version] = RuleTable(rule_set.version, tuple(rule_set.rules),
                                            frozenset(c.upper() for c in rule_set.embargoed))
    return table


def current_rule_set(session: Session) -> ScreeningRuleSet:
    rule_set = session.scalars(sa.select(ScreeningRuleSet)
                               .order_by(ScreeningRuleSet.version.desc()).limit(1)).first()
    if rule_set is None:
        raise NotFound("no screening rule set exists")
    return rule_set


def rule_set_version(session: Session, version: int) -> ScreeningRuleSet:
    rule_set = session.get(ScreeningRuleSet, version)
    if rule_set is None:
        raise NotFound(f"screening rule set version {version} does not exist")
    return rule_set


def publish_rule_set(session: Session, *, rules: list[dict], embargoed: list[str], comment: str,
                     created_by: str | None, based_on: int) -> ScreeningRuleSet:
    """A new version of the table; `based_on` is the version the admin edited, so that two
    admins editing at once do not silently overwrite each other."""
    current = current_rule_set(session)
    if based_on != current.version:
        raise Conflict(f"the rule set is at version {current.version}, not {based_on}; "
                       "reload and edit again", field="based_on")
    rule_set = ScreeningRuleSet(version=current.version + 1, rules=rules,
                                embargoed=sorted({c.upper() for c in embargoed}),
                                comment=comment, created_by=created_by)
    session.add(rule_set)
    session.flush()
    return rule_set
