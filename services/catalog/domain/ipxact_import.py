"""Reading an IEEE 1685 (IP-XACT) component description into the fields of a draft core.

SPIRIT 1.4/1.5, 1685-2009, 1685-2014 and 1685-2022 are recognised by their namespace (matched
leniently: tools emit variants). defusedxml refuses DTD entities and external references, so an
upload cannot expand entities ("billion laughs") or read local files.

What a licensee wants to see is kept as the vendor wrote it: the VLNV version ("1.2" stays
"1.2"), port bounds, addresses, offsets and widths (numbers or expressions alike). Only what
differs between the versions of the standard is made one: interface modes take their 2022 names
(initiator/target), userFileType and fileType="user" are both the user's type. So import →
export → import gives the same core.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import defusedxml
import defusedxml.ElementTree as SafeET

from services.catalog.domain import ipxact_elements as elements
from services.catalog.domain import taxonomy
from services.catalog.domain.ipxact_vocabulary import (
    IPMARKET,
    MODE_2022,
    MODES,
    NAMESPACE,
    STANDARD_BY_BUS_NAME,
    VLNV_PART,
    XILINX,
    category_of,
    deliverable_kinds_of,
    hdl_languages_of,
)
from shared.errors import Invalid


def parse_component(xml: bytes, version_override: str | None = None) -> dict:
    """The draft core fields an IP-XACT component describes; Invalid names what is wrong."""
    root = _parse(xml)
    ns = _namespace(root)
    local = root.tag.split("}", 1)[-1]
    if local != "component":
        raise Invalid(f"this IP-XACT document is a {local}, not a component", field="component")
    find = elements.Finder(ns)
    vlnv = {part: find.text(root, part) for part in ("vendor", "library", "name", "version")}
    for part, value in vlnv.items():
        if not value:
            raise Invalid(f"the component has no <{part}> element", field=f"component/{part}")
    if version_override:
        vlnv["version"] = version_override
    elif not VLNV_PART.fullmatch(vlnv["version"]):
        raise Invalid(
            f"the component's <version> {vlnv['version']!r} is not an IP-XACT "
            "version (letters, digits, '_', '.', '-'); give one with ?version=1.0",
            field="component/version",
        )

    xilinx = root.find(f"{find.q('vendorExtensions')}/{{{XILINX}}}coreExtensions")
    title = (
        (xilinx is not None and xilinx.findtext(f"{{{XILINX}}}displayName"))
        or find.text(root, "displayName")
        or vlnv["name"]
    )
    bus_interfaces = [
        _bus_interface(find, bus)
        for bus in root.iterfind(f"{find.q('busInterfaces')}/{find.q('busInterface')}")
    ]
    bus_of = {}
    for bus in bus_interfaces:
        for port_map in bus["port_maps"]:
            bus_of.setdefault(port_map["physical"], bus["name"])
    ports = [
        port
        for port in (
            elements.port(find, p, bus_of)
            for p in root.iterfind(f"{find.q('model')}/{find.q('ports')}/{find.q('port')}")
        )
        if port is not None
    ]
    memory_maps = [
        elements.memory_map(find, m)
        for m in root.iterfind(f"{find.q('memoryMaps')}/{find.q('memoryMap')}")
    ]
    file_sets = [
        elements.file_set(find, fs)
        for fs in root.iterfind(f"{find.q('fileSets')}/{find.q('fileSet')}")
    ]
    parameters = [
        elements.parameter(find, p)
        for p in root.iterfind(f"{find.q('parameters')}/{find.q('parameter')}")
    ]
    fields = {
        "vlnv": vlnv,
        "title_en": title.strip()[:300],
        "description_en": (find.text(root, "description") or "").strip(),
        "standards": sorted({b["standard"] for b in bus_interfaces if b["standard"]}),
        "bus_interfaces": bus_interfaces,
        "file_sets": file_sets,
        "hdl_languages": hdl_languages_of(file_sets),
        "deliverable_kinds": deliverable_kinds_of(file_sets),
        "parameters": parameters,
        "ports": ports,
        "memory_maps": memory_maps,
    }
    category = root.findtext(f"{find.q('vendorExtensions')}/{{{IPMARKET}}}category")
    if category and category.strip() in taxonomy.CATEGORIES:
        fields["category"] = category.strip()
    if xilinx is not None:
        category = category_of(xilinx.findtext(f"{{{XILINX}}}taxonomies/{{{XILINX}}}taxonomy"))
        if category:
            fields["category"] = category
        revision = xilinx.findtext(f"{{{XILINX}}}coreRevision")
        if revision:  # kept with the parameters: the integrator asks for it with bug reports
            fields["parameters"].append(
                {
                    "name": "xilinx:coreRevision",
                    "value": revision,
                    "display_name": "Core revision",
                    "id": None,
                }
            )
    return fields


def _parse(xml: bytes) -> ET.Element:
    try:
        return SafeET.fromstring(xml, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise Invalid(
            f"entity declarations and external references are refused ({exc})", field="body"
        ) from None
    except ET.ParseError as exc:
        line, column = exc.position
        raise Invalid(
            f"not well-formed XML at line {line}, column {column}: {exc}",
            field="body",
            line=line,
            column=column,
        ) from None


def _namespace(root: ET.Element) -> str:
    ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if not NAMESPACE.match(ns):
        local = root.tag.split("}", 1)[-1]
        raise Invalid(
            f"the root element <{local}> in namespace {ns or '(none)'!r} is not "
            "IP-XACT (SPIRIT 1.4/1.5, 1685-2009, 1685-2014 or 1685-2022)",
            field=local,
        )
    return ns


def _bus_interface(find: elements.Finder, bus: ET.Element) -> dict:
    bus_type = bus.find(find.q("busType"))
    ref = None
    standard = None
    if bus_type is not None:
        parts = [
            find.attribute(bus_type, p) or "" for p in ("vendor", "library", "name", "version")
        ]
        ref = ":".join(parts)
        squashed = re.sub(r"[^0-9a-z]", "", parts[2].lower())
        standard = STANDARD_BY_BUS_NAME.get(squashed)
        if standard is None and taxonomy.canonical_standard(parts[2]) in taxonomy.KNOWN_STANDARDS:
            standard = taxonomy.canonical_standard(parts[2])
    mode_element = next(
        (child for child in bus if elements.local(child) in set(MODES) | set(MODE_2022)), None
    )
    interface = {
        "name": find.text(bus, "name"),
        "bus_type": ref,
        "abstraction_type": None,
        "mode": None,
        "standard": standard,
        "port_maps": [],
    }
    if mode_element is not None:
        interface["mode"] = MODE_2022.get(
            elements.local(mode_element), elements.local(mode_element)
        )
        group = find.text(mode_element, "group")
        if group:
            interface["group"] = group
        monitored = find.attribute(mode_element, "interfaceMode")
        if monitored:  # a monitor says which mode it watches
            interface["monitors"] = MODE_2022.get(monitored, monitored)
    # 1685-2009 and earlier: abstractionType and portMaps are children of the bus interface;
    # 2014 and later: both inside abstractionTypes/abstractionType.
    abstraction = (
        bus.find(
            f"{find.q('abstractionTypes')}/{find.q('abstractionType')}/{find.q('abstractionRef')}"
        )
        if bus.find(find.q("abstractionTypes")) is not None
        else bus.find(find.q("abstractionType"))
    )
    if abstraction is not None:
        interface["abstraction_type"] = _vlnv_ref(find, abstraction)
    for port_map in bus.iter(find.q("portMap")):
        logical = (
            find.text(port_map.find(find.q("logicalPort")), "name")
            if port_map.find(find.q("logicalPort")) is not None
            else None
        )
        physical = (
            find.text(port_map.find(find.q("physicalPort")), "name")
            if port_map.find(find.q("physicalPort")) is not None
            else None
        )
        if logical and physical:
            interface["port_maps"].append({"logical": logical, "physical": physical})
    return interface


def _vlnv_ref(find: elements.Finder, element: ET.Element) -> str:
    return ":".join(
        find.attribute(element, p) or "" for p in ("vendor", "library", "name", "version")
    )
