"""The kinds of file a core version is delivered as."""

from __future__ import annotations

# Order: the design flow, from source to documents; the API and the manifest list them so.
DELIVERABLE_KINDS = (
    "rtl",  # RTL source (Verilog, SystemVerilog, VHDL)
    "encrypted_rtl",  # RTL the vendor encrypted (IEEE 1735), passed through unchanged
    "netlist",  # gate-level netlist
    "lef",  # physical abstract (Library Exchange Format)
    "lib",  # timing and power (Liberty)
    "gds",  # layout (GDSII / OASIS)
    "testbench",
    "reference_design",
    "documentation",
    "drivers",  # software drivers
)
