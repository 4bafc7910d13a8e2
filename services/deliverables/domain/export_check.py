"""A download is screened again with the export rules in force (shared/export_screening.py,
the function licensing screens requests with), so that a destination denied since the license
was issued gets no more files. Only a denial refuses: `review` and `allow` were both possible
at issue, and the license exists because a person cleared it."""

from __future__ import annotations

from shared.export_screening import RuleSet, RuleTable, ScreeningDecision, screen_export

# Until licensing publishes a rule set, the one the licenses were screened by is in force:
# only the vendor's territory restrictions (from the catalog's events) can have changed.
NONE_HEARD = RuleTable(0, (), frozenset())


def denial(
    rule_set: RuleSet | None,
    *,
    eccn: str | None,
    destination: str | None,
    territory_restrictions: list[str] | None,
) -> ScreeningDecision | None:
    """The denial of this download under `rule_set`, or None when it may go. Without a
    destination (a license from before events named it) there is nothing to screen; without an
    ECCN (a core version projected before it was kept) only the vendor's territory restrictions
    and the embargo apply, not the ECCN rules."""
    if destination is None:
        return None
    table = RuleTable.of(rule_set) if rule_set is not None else NONE_HEARD
    if eccn is None:
        table = RuleTable(table.version, (), table.embargoed)
    decision = screen_export(
        table,
        eccn=eccn or "",
        destination=destination,
        territory_restrictions=list(territory_restrictions or ()),
    )
    return decision if decision.outcome == "deny" else None
