"""The screening rule sets (versioned rows of `ScreeningRuleSet`): reading them and an admin
publishing the next version. Screening itself is pure: domain/screening.py."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.licensing.domain.screening import check_based_on
from services.licensing.models import ScreeningRuleSet
from shared.errors import NotFound
from shared.events import licensing as events
from shared.messaging.unit_of_work import UnitOfWork

RULE_SETS_SUBJECT = "screening-rules"  # one key: consumers get the versions in order


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


def publish_and_announce(uow: UnitOfWork, **fields) -> ScreeningRuleSet:
    """Publish the next version (publish_rule_set's fields) and tell the other services, which
    screen again with it (the deliverables service, at every download)."""
    rule_set = publish_rule_set(uow.session, **fields)
    uow.publish(
        events.SCREENING_RULES_PUBLISHED,
        RULE_SETS_SUBJECT,
        {
            "version": rule_set.version,
            "rules": [
                {k: rule[k] for k in ("rule_id", "eccn", "destinations", "outcome", "reason_code")}
                for rule in rule_set.rules
            ],
            "embargoed": list(rule_set.embargoed),
            "published_at": rule_set.created_at.isoformat(),
        },
    )
    return rule_set
