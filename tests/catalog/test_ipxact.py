"""IP-XACT import: every sample of tests/catalog/data/ipxact/, and hostile or wrong input."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.catalog.conftest import assert_problem

DATA = Path(__file__).parent / "data" / "ipxact"
XML = {"Content-Type": "application/xml"}


def post(catalog, body: bytes, **query):
    return catalog.client.post("/cores/import", data=body, query_string=query,
                               headers={**catalog.vendor.auth, **XML})


@pytest.mark.parametrize("name, query, vlnv, title, standards, category, hdl", [
    ("digilent-rgb2dvi.1.2__via-xilinx-pynq__spirit1685-2009.xml", {},
     ("digilentinc.com", "ip", "rgb2dvi", "1.2.0"), "RGB to DVI Video Encoder (Source)",
     ["DVI"], "dsp_multimedia", ["vhdl"]),
    ("kactus2-ipxactexamplelib__tut.fi.cpu.logic.alu.1.0__ipxact1685-2014.xml", {},
     ("tut.fi", "cpu.logic", "alu", "1.0.0"), "alu", [], None, ["verilog"]),
    ("spirit-generic_example__via-olofk-ipyxact__spirit1.5.xml", {"version": "0.1.0"},
     ("org.example", "example_lib", "example_name", "0.1.0"), "example_name", [], None,
     ["verilog"]),
])
def test_every_sample_imports_as_a_draft(catalog, name, query, vlnv, title, standards, category,
                                         hdl):
    response = post(catalog, (DATA / name).read_bytes(), **query)
    assert response.status_code == 201, response.json
    core = response.json
    assert core["status"] == "draft"
    assert tuple(core["vlnv"][p] for p in ("vendor", "library", "name", "version")) == vlnv
    assert core["title_en"] == title
    assert core["standards"] == standards
    assert core["category"] == category
    assert core["hdl_languages"] == hdl
    assert core["file_sets"] and core["description_en"]


def test_xilinx_sample_keeps_bus_interfaces_parameters_and_core_revision(catalog):
    core = post(catalog, (DATA / "digilent-rgb2dvi.1.2__via-xilinx-pynq__spirit1685-2009.xml")
                .read_bytes()).json
    tmds = next(b for b in core["bus_interfaces"] if b["name"] == "TMDS")
    assert tmds == {"name": "TMDS", "bus_type": "digilentinc.com:interface:tmds:1.0",
                    "mode": "master", "standard": "DVI"}
    names = {p["name"]: p["value"] for p in core["parameters"]}
    assert names["kClkRange"] == "1" and names["xilinx:coreRevision"] == "7"
    assert "documentation" in core["deliverable_kinds"]


def test_importing_the_same_component_twice_is_409(catalog):
    body = (DATA / "kactus2-ipxactexamplelib__tut.fi.cpu.logic.alu.1.0__ipxact1685-2014.xml"
            ).read_bytes()
    assert post(catalog, body).status_code == 201
    before = catalog.snapshot()
    assert_problem(post(catalog, body), 409, "vlnv")
    assert catalog.snapshot() == before


def test_non_semantic_version_names_the_element(catalog):
    body = (DATA / "spirit-generic_example__via-olofk-ipyxact__spirit1.5.xml").read_bytes()
    assert_problem(post(catalog, body), 422, "component/version")


def test_malformed_xml_names_the_line(catalog):
    body = b'<?xml version="1.0"?>\n<ipxact:component xmlns:ipxact=' \
           b'"http://www.accellera.org/XMLSchema/IPXACT/1685-2022">\n<ipxact:vendor>x\n' \
           b'</ipxact:component>\n'
    before = catalog.snapshot()
    problem = assert_problem(post(catalog, body), 422, "body")
    assert problem["line"] == 4 and "line 4" in problem["detail"]
    assert catalog.snapshot() == before


@pytest.mark.parametrize("body, field", [
    (b"<html><body>not a component</body></html>", "html"),
    (b'<component xmlns="http://example.com/other"><vendor>x</vendor></component>', "component"),
    (b'<ipxact:busDefinition xmlns:ipxact="http://www.accellera.org/XMLSchema/IPXACT/1685-2014"'
     b'/>', "component"),
    (b'<spirit:component xmlns:spirit="http://www.spiritconsortium.org/XMLSchema/SPIRIT/1.4">'
     b'<spirit:vendor>a</spirit:vendor><spirit:library>b</spirit:library>'
     b'<spirit:version>1.0</spirit:version></spirit:component>', "component/name"),
    (b"", "body"),
])
def test_not_an_ip_xact_component_is_422_naming_the_element(catalog, body, field):
    before = catalog.snapshot()
    assert_problem(post(catalog, body), 422, field)
    assert catalog.snapshot() == before


def test_entity_expansion_and_external_entities_are_refused(catalog):
    laughs = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
              b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
              b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
              b'<ipxact:component xmlns:ipxact="http://www.accellera.org/XMLSchema/IPXACT/'
              b'1685-2014"><ipxact:vendor>&lol3;</ipxact:vendor></ipxact:component>')
    external = (b'<?xml version="1.0"?>\n<!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b'<ipxact:component xmlns:ipxact="http://www.accellera.org/XMLSchema/IPXACT/'
                b'1685-2014"><ipxact:vendor>&x;</ipxact:vendor></ipxact:component>')
    before = catalog.snapshot()
    for body in (laughs, external):
        problem = assert_problem(post(catalog, body), 422, "body")
        assert "entit" in problem["detail"].lower()
    assert catalog.snapshot() == before


def test_import_needs_a_vendor_and_a_small_body(catalog):
    body = (DATA / "kactus2-ipxactexamplelib__tut.fi.cpu.logic.alu.1.0__ipxact1685-2014.xml"
            ).read_bytes()
    assert_problem(catalog.client.post("/cores/import", data=body,
                                       headers={**catalog.licensee.auth, **XML}), 403)
    assert_problem(post(catalog, b"<a>" + b" " * 1_100_000 + b"</a>"), 413)
