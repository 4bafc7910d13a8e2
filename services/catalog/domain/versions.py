"""The order of VLNV versions. IP-XACT versions are free text ("1.2", "2.0.1", "r1p0", "v3a"),
kept exactly as the vendor wrote them; they are compared, never rewritten.

A version PEP 440 understands (as the licensing service's version ranges do) is compared as
such, so "1.2" equals "1.2.0" and "1.10" follows "1.9". Any other comes after those, in natural
order: runs of digits compare as numbers ("r1p10" after "r1p9"), the rest as lower-case text.
"""

from __future__ import annotations

import re

from packaging.version import InvalidVersion, Version

RUN = re.compile(r"(\d+)")


def version_key(text: str) -> tuple:
    """A sort key: sorted(versions, key=version_key) puts them oldest first."""
    try:
        return (0, Version(text))
    except InvalidVersion:
        # (kind, value) pairs: a number and a word at the same place compare by kind first.
        return (
            1,
            tuple(
                (0, int(run), "") if run.isdigit() else (1, 0, run.lower())
                for run in RUN.split(text)
                if run
            ),
        )


def same_version(a: str, b: str) -> bool:
    """Whether two spellings name one version ("1.2" and "1.2.0"): a core cannot have both."""
    return version_key(a) == version_key(b)
