"""Reading an IP-XACT component, and writing a core back as one."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from services.catalog.domain.ipxact_export import component_xml
from services.catalog.domain.ipxact_import import parse_component
from shared.errors import Invalid

SAMPLES = Path(__file__).parents[4] / "integration" / "catalog" / "data" / "ipxact"
IPXACT_2014 = "http://www.accellera.org/XMLSchema/IPXACT/1685-2014"


def component(body: str = "", version: str = "1.0") -> bytes:
    return (
        f'<ipxact:component xmlns:ipxact="{IPXACT_2014}">'
        f"<ipxact:vendor>example.com</ipxact:vendor><ipxact:library>ip</ipxact:library>"
        f"<ipxact:name>uart</ipxact:name><ipxact:version>{version}</ipxact:version>"
        f"{body}</ipxact:component>"
    ).encode()


def test_the_vlnv_is_read_as_written():
    assert parse_component(component(version="r1p0"))["vlnv"] == {
        "vendor": "example.com",
        "library": "ip",
        "name": "uart",
        "version": "r1p0",
    }


def test_a_version_given_instead_is_used():
    assert parse_component(component(), "2.0")["vlnv"]["version"] == "2.0"


def test_malformed_xml_names_the_line_and_column():
    with pytest.raises(Invalid) as raised:
        parse_component(b"<a>\n<b></a>")
    assert raised.value.field == "body" and "line 2" in str(raised.value)


def test_entity_declarations_are_refused():
    bomb = b'<!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>'
    with pytest.raises(Invalid) as raised:
        parse_component(bomb)
    assert raised.value.field == "body"


def test_a_root_that_is_no_ip_xact_component_is_named():
    with pytest.raises(Invalid) as raised:
        parse_component(b'<component xmlns="urn:other"/>')
    assert raised.value.field == "component"


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.xml")), ids=lambda p: p.name[:30])
def test_export_then_import_gives_the_same_fields(sample):
    fields = parse_component(sample.read_bytes(), "1.0")
    core = SimpleNamespace(
        title_en=fields["title_en"],
        description_en=fields.get("description_en"),
        category=fields.get("category"),
        **{
            name: fields[name]
            for name in (
                "vlnv",
                "bus_interfaces",
                "memory_maps",
                "ports",
                "file_sets",
                "parameters",
            )
        },
    )
    again = parse_component(component_xml(core))
    for name in ("vlnv", "bus_interfaces", "memory_maps", "ports", "file_sets", "parameters"):
        assert again[name] == fields[name], name
