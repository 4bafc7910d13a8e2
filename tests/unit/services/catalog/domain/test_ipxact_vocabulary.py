"""How IP-XACT's vocabulary maps onto the catalog's taxonomy."""

from __future__ import annotations

from services.catalog.domain.ipxact_vocabulary import (
    NAMESPACE,
    category_of,
    deliverable_kinds_of,
    hdl_languages_of,
)


def file_set(*files):
    return [
        {
            "name": "sources",
            "files": [{"name": name, "file_types": [file_type]} for name, file_type in files],
        }
    ]


def test_every_generation_of_the_standard_is_recognised_by_its_namespace():
    for namespace in (
        "http://www.spiritconsortium.org/XMLSchema/SPIRIT/1.5",
        "http://www.spiritconsortium.org/XMLSchema/SPIRIT/1685-2009",
        "http://www.accellera.org/XMLSchema/IPXACT/1685-2014",
        "http://www.accellera.org/XMLSchema/IPXACT/1685-2022/",
    ):
        assert NAMESPACE.match(namespace), namespace
    assert not NAMESPACE.match("http://example.com/XMLSchema/IPXACT/1685-2022")


def test_a_vivado_taxonomy_maps_to_a_category_by_prefix():
    assert category_of("/Embedded_Processing/Processor") == "processors_controllers"
    assert category_of("/Something_Else") == "other"
    assert category_of(None) is None


def test_hdl_languages_come_from_the_file_types():
    assert hdl_languages_of(file_set(("a.sv", "systemVerilogSource"), ("b.vhd", "vhdlSource"))) == [
        "systemverilog",
        "vhdl",
    ]


def test_rtl_documents_and_testbenches_are_deliverable_kinds():
    kinds = deliverable_kinds_of(
        file_set(
            ("rtl/top.v", "verilogSource"),
            ("doc/guide.pdf", "unknown"),
            ("tb/top_tb.v", "verilogSource"),
        )
    )
    assert {"soft_rtl", "documentation", "testbench"} <= set(kinds)
