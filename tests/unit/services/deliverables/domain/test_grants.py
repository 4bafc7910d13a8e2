"""What a license grants: kinds through the catalog's vocabulary, or the very bytes by digest."""

from __future__ import annotations

import pytest

from services.deliverables.domain.grants import COVERS, grants, kinds_granted
from services.deliverables.domain.kinds import DELIVERABLE_KINDS

RTL_DIGEST, NETLIST_DIGEST, OTHER = "a" * 64, "b" * 64, "c" * 64
GRANTED = [
    {"kind": "soft_rtl", "name": "uart.tar.gz", "sha256": RTL_DIGEST},
    {"kind": "documentation", "name": "uart.pdf", "sha256": "d" * 64},
]


@pytest.mark.parametrize(
    ("kind", "sha256", "granted"),
    [
        ("rtl", OTHER, True),  # soft_rtl covers rtl
        ("encrypted_rtl", OTHER, True),
        ("documentation", OTHER, True),  # spelt alike: itself
        ("netlist", OTHER, False),  # no firm_netlist granted
        ("gds", OTHER, False),
        ("drivers", OTHER, False),  # no catalog kind covers drivers
        ("drivers", RTL_DIGEST, True),  # but these bytes are named by the license
    ],
)
def test_a_license_grants_the_kinds_its_catalog_kinds_cover_and_the_files_it_names(
    kind, sha256, granted
):
    assert grants(GRANTED, kind, sha256) is granted


def test_a_license_granting_nothing_grants_nothing():
    assert not any(grants([], kind, OTHER) for kind in DELIVERABLE_KINDS)


def test_a_license_whose_events_did_not_say_grants_every_kind():
    assert all(grants(None, kind, OTHER) for kind in DELIVERABLE_KINDS)


def test_every_kind_covered_is_one_of_this_services_kinds():
    assert set().union(*COVERS.values()) <= set(DELIVERABLE_KINDS)
    assert kinds_granted([{"kind": "firm_netlist", "name": "x", "sha256": NETLIST_DIGEST}]) == {
        "firm_netlist",
        "netlist",
    }
