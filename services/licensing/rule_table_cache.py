"""The screening rule tables, remembered per database and version in this process's memory.

A rule-set version never changes once published, so a request reads only the number of the
version in force, with its other rows (`version_in_force()`, see request_reads.py), and the
table itself is read from the database once per process.
"""

from __future__ import annotations

import weakref

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.licensing.models import ScreeningRuleSet
from services.licensing.rule_sets import rule_set_version
from shared.errors import NotFound
from shared.export_screening import RuleTable

# By database engine (weakly: tests come and go), then version.
_tables: weakref.WeakKeyDictionary[sa.Engine, dict[int, RuleTable]] = weakref.WeakKeyDictionary()


def version_in_force():
    """Scalar subquery: the version of the rule set in force, to read with other rows."""
    return sa.select(sa.func.max(ScreeningRuleSet.version)).scalar_subquery()


def rule_table(session: Session, version: int | None) -> RuleTable:
    """Rule-set `version` (read with `version_in_force()`); None: no rule set exists."""
    if version is None:
        raise NotFound("no screening rule set exists")
    tables = _tables.setdefault(session.get_bind(), {})
    table = tables.get(version)
    if table is None:
        table = tables[version] = RuleTable.of(rule_set_version(session, version))
    return table
