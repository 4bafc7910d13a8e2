"""Export-control screening: the first step of every license request (the pure screening
itself is shared/export_screening.py, which the deliverables service applies again at download).

The rule table is data (versioned rule sets, changed by an admin through the API), not code.
Screening a request checks, in this order, and the first that applies decides:
1. the vendor's own territory restrictions (deny),
2. the embargoed destinations (deny, whatever the ECCN),
3. the rules of the table, top to bottom: an ECCN pattern × destinations → allow/review/deny,
4. no rule matched → review by an admin.
Every decision names the rule and the rule-set version that made it, and a reason code that the
licensee sees. The default table (migration 0002) is illustrative, not legal advice.
"""

from __future__ import annotations

from shared.errors import Conflict


def check_based_on(current_version: int, based_on: int) -> None:
    """Publishing names the version the admin edited, so that two admins editing at once do not
    silently overwrite each other."""
    if based_on != current_version:
        raise Conflict(
            f"the rule set is at version {current_version}, not {based_on}; reload and edit again",
            field="based_on",
        )
