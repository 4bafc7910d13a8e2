"""The screening rule sets (versioned rows of `ScreeningRuleSet`): reading them and an admin
publishing the next version. Screening itself is pure: domain/screening.py."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.licensing.domain.screening import check_based_on
from services.licensing.models import ScreeningRuleSet
from shared.errors import NotFound


def current_rule_set(session: Session) -> ScreeningRuleSet:
    rule_set = session.scalars(
        sa.select(ScreeningRuleSet).order_by(ScreeningRuleSet.version.desc()).limit(1)
    ).first()
    if rule_set is None:
        raise NotFound("no screening rule set exists")
    return rule_set


def rule_set_version(session: Session, version: int) -> ScreeningRuleSet:
    rule_set = session.get(ScreeningRuleSet, version)
    if rule_set is None:
        raise NotFound(f"screening rule set version {version} does not exist")
    return rule_set


def publish_rule_set(
    session: Session,
    *,
    rules: list[dict],
    embargoed: list[str],
    comment: str,
    created_by: str | None,
    based_on: int,
) -> ScreeningRuleSet:
    """A new version of the table, on top of version `based_on` (the one the admin edited)."""
    current = current_rule_set(session)
    check_based_on(current.version, based_on)
    rule_set = ScreeningRuleSet(
        version=current.version + 1,
        rules=rules,
        embargoed=sorted({c.upper() for c in embargoed}),
        comment=comment,
        created_by=created_by,
    )
    session.add(rule_set)
    session.flush()
    return rule_set
