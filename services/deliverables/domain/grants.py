"""What a license grants: the files the catalog listed for its core version when it was issued
(kind, name, SHA-256), as licensing's license events carry them.

The catalog names kinds in its own, coarser vocabulary (services/catalog/domain/taxonomy.py:
soft_rtl, firm_netlist, hard_macro_gdsii, testbench, documentation); COVERS says which of this
service's kinds (domain/kinds.py) each one grants. A kind spelt alike in both grants itself, so
a finer catalog vocabulary later changes nothing here. A file whose SHA-256 the license lists
is granted whatever its kind: the license names those very bytes. No other file is granted.
"""

from __future__ import annotations

from collections.abc import Iterable

COVERS: dict[str, frozenset[str]] = {
    "soft_rtl": frozenset({"rtl", "encrypted_rtl"}),
    "firm_netlist": frozenset({"netlist"}),
    "hard_macro_gdsii": frozenset({"gds", "lef", "lib"}),
    "testbench": frozenset({"testbench", "reference_design"}),
    "documentation": frozenset({"documentation"}),
}


def kinds_granted(granted: Iterable[dict]) -> frozenset[str]:
    """This service's kinds that a license's granted files cover."""
    kinds: set[str] = set()
    for item in granted:
        kinds |= COVERS.get(item["kind"], frozenset()) | {item["kind"]}
    return frozenset(kinds)


def grants(granted: list[dict] | None, kind: str, sha256: str) -> bool:
    """Whether a license granting `granted` lets its holder have a file of `kind` and `sha256`.
    None (a license whose events did not say, from before they did) grants every kind: it was
    sold with the whole core version."""
    if granted is None:
        return True
    return kind in kinds_granted(granted) or any(item["sha256"] == sha256 for item in granted)
