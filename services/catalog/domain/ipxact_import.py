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
    find = _Finder(ns)
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
            _port(find, p, bus_of)
            for p in root.iterfind(f"{find.q('model')}/{find.q('ports')}/{find.q('port')}")
        )
        if port is not None
    ]
    memory_maps = [
        _memory_map(find, m) for m in root.iterfind(f"{find.q('memoryMaps')}/{find.q('memoryMap')}")
    ]
    file_sets = [
        _file_set(find, fs) for fs in root.iterfind(f"{find.q('fileSets')}/{find.q('fileSet')}")
    ]
    parameters = [
        _parameter(find, p) for p in root.iterfind(f"{find.q('parameters')}/{find.q('parameter')}")
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


class _Finder:
    def __init__(self, ns: str):
        self.ns = ns

    def q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def text(self, element: ET.Element, name: str) -> str | None:
        value = element.findtext(self.q(name))
        return value.strip() if value else None

    def attribute(self, element: ET.Element, name: str) -> str | None:
        # 1685-2009 and earlier qualify the attributes (spirit:vendor); 2014 and later do not.
        return element.get(self.q(name)) or element.get(name)


def _bus_interface(find: _Finder, bus: ET.Element) -> dict:
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
        (child for child in bus if _local(child) in set(MODES) | set(MODE_2022)), None
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
        interface["mode"] = MODE_2022.get(_local(mode_element), _local(mode_element))
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


def _vlnv_ref(find: _Finder, element: ET.Element) -> str:
    return ":".join(
        find.attribute(element, p) or "" for p in ("vendor", "library", "name", "version")
    )


def _local(element: ET.Element) -> str:
    return element.tag.split("}", 1)[-1]


def _port(find: _Finder, port: ET.Element, bus_of: dict[str, str]) -> dict | None:
    """A wire port: name, direction, its bounds as written (numbers or expressions), the width
    when the bounds are numbers, and the bus interface that maps it."""
    wire = port.find(find.q("wire"))
    if wire is None:
        return None  # transactional ports carry no wires a licensee routes
    # 2014 and later wrap the vector in <vectors>; 1685-2009 and earlier do not.
    vector = wire.find(f"{find.q('vectors')}/{find.q('vector')}")
    if vector is None:
        vector = wire.find(find.q("vector"))
    left = find.text(vector, "left") if vector is not None else None
    right = find.text(vector, "right") if vector is not None else None
    name = find.text(port, "name")
    return {
        "name": name,
        "direction": find.text(wire, "direction"),
        "left": left,
        "right": right,
        "width": _width(left, right),
        "description": find.text(port, "description"),
        "bus_interface": bus_of.get(name),
    }


def _width(left: str | None, right: str | None) -> int | None:
    if left is None and right is None:
        return 1
    try:
        return abs(int(left, 0) - int(right, 0)) + 1
    except (TypeError, ValueError):
        return None  # an expression of parameters: the width depends on the configuration


def _memory_map(find: _Finder, memory_map: ET.Element) -> dict:
    return {
        "name": find.text(memory_map, "name"),
        "description": find.text(memory_map, "description"),
        "address_unit_bits": find.text(memory_map, "addressUnitBits"),
        "address_blocks": [
            _address_block(find, block) for block in memory_map.iterfind(find.q("addressBlock"))
        ],
    }


def _address_block(find: _Finder, block: ET.Element) -> dict:
    return {
        "name": find.text(block, "name"),
        "description": find.text(block, "description"),
        "base_address": find.text(block, "baseAddress"),
        "range": find.text(block, "range"),
        "width": find.text(block, "width"),
        "usage": find.text(block, "usage"),
        "access": _access(find, block, "accessPolicies", "accessPolicy"),
        "registers": [_register(find, register) for register in block.iterfind(find.q("register"))],
    }


def _register(find: _Finder, register: ET.Element) -> dict:
    return {
        "name": find.text(register, "name"),
        "description": find.text(register, "description"),
        "address_offset": find.text(register, "addressOffset"),
        "size": find.text(register, "size"),
        "volatile": find.text(register, "volatile"),
        "access": _access(find, register, "accessPolicies", "accessPolicy"),
        "fields": [
            {
                "name": find.text(field, "name"),
                "description": find.text(field, "description"),
                "bit_offset": find.text(field, "bitOffset"),
                "bit_width": find.text(field, "bitWidth"),
                "access": _access(find, field, "fieldAccessPolicies", "fieldAccessPolicy"),
            }
            for field in register.iterfind(find.q("field"))
        ],
    }


def _access(find: _Finder, element: ET.Element, policies: str, policy: str) -> str | None:
    # Up to 1685-2014 <access> is a child; 1685-2022 moved it into access policies.
    return find.text(element, "access") or next(
        (
            find.text(p, "access")
            for p in element.iterfind(f"{find.q(policies)}/{find.q(policy)}")
            if find.text(p, "access")
        ),
        None,
    )


def _file_set(find: _Finder, file_set: ET.Element) -> dict:
    files = []
    for file in file_set.iterfind(find.q("file")):
        # userFileType (up to 2009) and fileType="user" with a user attribute (2014 and later)
        # are the same thing: the user's own type, kept by its name.
        types = [
            (t.get("user") or t.text).strip()
            if _local(t) == "fileType" and (t.text or "").strip() == "user"
            else (t.text or "").strip()
            for t in file
            if _local(t) in {"fileType", "userFileType"} and (t.text or "").strip()
        ]
        files.append({"name": find.text(file, "name"), "file_types": types})
    return {"name": find.text(file_set, "name"), "files": files}


def _parameter(find: _Finder, parameter: ET.Element) -> dict:
    # The id (1685-2014 and later) is what expressions elsewhere refer to, e.g. a port's bounds.
    return {
        "name": find.text(parameter, "name"),
        "value": find.text(parameter, "value"),
        "display_name": find.text(parameter, "displayName"),
        "id": parameter.get("parameterId"),
    }
