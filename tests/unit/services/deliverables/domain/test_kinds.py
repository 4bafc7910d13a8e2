"""The deliverable kinds a vendor uploads: those the issue names, in the design flow's order."""

from services.deliverables.domain.kinds import DELIVERABLE_KINDS


def test_every_kind_of_the_issue_is_a_kind_once():
    named = {"rtl", "encrypted_rtl", "netlist", "lef", "lib", "gds", "testbench",
             "reference_design", "documentation", "drivers"}  # fmt: skip
    assert set(DELIVERABLE_KINDS) == named and len(DELIVERABLE_KINDS) == len(named)


def test_source_comes_before_layout_and_documents_last_but_drivers():
    order = DELIVERABLE_KINDS.index
    assert order("rtl") < order("netlist") < order("gds") < order("documentation")
