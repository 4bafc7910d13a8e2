"""Writing a core as an IEEE 1685-2022 (IP-XACT) component: what an import reads
(ipxact_import.parse_component) is what this writes, so import → export → import gives the
same core."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from services.catalog.domain.ipxact_vocabulary import (
    FILE_TYPES_2022,
    IPMARKET,
    IPXACT_2022,
    SCHEMA_LOCATION_2022,
    XSI,
)


def component_xml(core) -> bytes:
    """The core as an IEEE 1685-2022 component: what an import reads (parse_component) is what
    this writes, so that importing the result gives the same core. Elements follow the order
    of the 2022 schema."""
    ET.register_namespace("ipxact", IPXACT_2022)
    ET.register_namespace("ipmarket", IPMARKET)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(_q("component"), {f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION_2022})
    for part in ("vendor", "library", "name", "version"):
        _sub(root, part, core.vlnv[part])
    _sub(root, "displayName", core.title_en)
    if core.description_en:
        _sub(root, "description", core.description_en)
    if core.bus_interfaces:
        interfaces = _sub(root, "busInterfaces")
        for bus in core.bus_interfaces:
            _write_bus_interface(_sub(interfaces, "busInterface"), bus)
    if core.memory_maps:
        maps = _sub(root, "memoryMaps")
        for memory_map in core.memory_maps:
            _write_memory_map(_sub(maps, "memoryMap"), memory_map)
    if core.ports:
        ports = _sub(_sub(root, "model"), "ports")
        for port in core.ports:
            _write_port(_sub(ports, "port"), port)
    if core.file_sets:
        file_sets = _sub(root, "fileSets")
        for file_set in core.file_sets:
            element = _sub(file_sets, "fileSet")
            _sub(element, "name", file_set["name"])
            for file in file_set["files"]:
                _write_file(_sub(element, "file"), file)
    if core.parameters:
        parameters = _sub(root, "parameters")
        for parameter in core.parameters:
            element = _sub(parameters, "parameter", attributes={"parameterId": parameter.get("id")})
            _sub(element, "name", parameter["name"])
            _sub(element, "displayName", parameter.get("display_name"))
            _sub(element, "value", parameter["value"] or "")
    if core.category:
        extensions = _sub(root, "vendorExtensions")
        ET.SubElement(extensions, f"{{{IPMARKET}}}category").text = core.category
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _q(name: str) -> str:
    return f"{{{IPXACT_2022}}}{name}"


def _sub(
    parent: ET.Element, tag: str, text: str | None = "", attributes: dict | None = None
) -> ET.Element | None:
    """A child element; None (and no element) when its text is None: optional and absent."""
    if text is None:
        return None
    element = ET.SubElement(parent, _q(tag), {k: v for k, v in (attributes or {}).items() if v})
    if text:
        element.text = text
    return element


def _vlnv_attributes(ref: str) -> dict:
    vendor, library, name, version = (ref.split(":") + ["", "", "", ""])[:4]
    return {"vendor": vendor, "library": library, "name": name, "version": version}


def _write_bus_interface(element: ET.Element, bus: dict) -> None:
    _sub(element, "name", bus["name"])
    if bus.get("bus_type"):
        _sub(element, "busType", attributes=_vlnv_attributes(bus["bus_type"]))
    if bus.get("abstraction_type"):
        abstraction = _sub(_sub(element, "abstractionTypes"), "abstractionType")
        _sub(abstraction, "abstractionRef", attributes=_vlnv_attributes(bus["abstraction_type"]))
        if bus.get("port_maps"):
            port_maps = _sub(abstraction, "portMaps")
            for port_map in bus["port_maps"]:
                mapping = _sub(port_maps, "portMap")
                _sub(_sub(mapping, "logicalPort"), "name", port_map["logical"])
                _sub(_sub(mapping, "physicalPort"), "name", port_map["physical"])
    if bus.get("mode"):
        mode = _sub(element, bus["mode"], attributes={"interfaceMode": bus.get("monitors")})
        _sub(mode, "group", bus.get("group"))


def _write_memory_map(element: ET.Element, memory_map: dict) -> None:
    _sub(element, "name", memory_map["name"])
    _sub(element, "description", memory_map.get("description"))
    for block in memory_map["address_blocks"]:
        block_element = _sub(element, "addressBlock")
        _sub(block_element, "name", block["name"])
        _sub(block_element, "description", block.get("description"))
        for name, key in (
            ("baseAddress", "base_address"),
            ("range", "range"),
            ("width", "width"),
            ("usage", "usage"),
        ):
            _sub(block_element, name, block.get(key))
        _write_access(block_element, "accessPolicies", "accessPolicy", block.get("access"))
        for register in block["registers"]:
            register_element = _sub(block_element, "register")
            _sub(register_element, "name", register["name"])
            _sub(register_element, "description", register.get("description"))
            _sub(register_element, "addressOffset", register.get("address_offset"))
            _sub(register_element, "size", register.get("size"))
            _sub(register_element, "volatile", register.get("volatile"))
            _write_access(
                register_element, "accessPolicies", "accessPolicy", register.get("access")
            )
            for field in register["fields"]:
                field_element = _sub(register_element, "field")
                _sub(field_element, "name", field["name"])
                _sub(field_element, "description", field.get("description"))
                _sub(field_element, "bitOffset", field.get("bit_offset"))
                _sub(field_element, "bitWidth", field.get("bit_width"))
                _write_access(
                    field_element, "fieldAccessPolicies", "fieldAccessPolicy", field.get("access")
                )
    _sub(element, "addressUnitBits", memory_map.get("address_unit_bits"))


def _write_access(element: ET.Element, policies: str, policy: str, access: str | None) -> None:
    if access:
        _sub(_sub(_sub(element, policies), policy), "access", access)


def _write_port(element: ET.Element, port: dict) -> None:
    _sub(element, "name", port["name"])
    _sub(element, "description", port.get("description"))
    wire = _sub(element, "wire")
    _sub(wire, "direction", port.get("direction"))
    if port.get("left") is not None or port.get("right") is not None:
        vector = _sub(_sub(wire, "vectors"), "vector")
        _sub(vector, "left", port.get("left") or "")
        _sub(vector, "right", port.get("right") or "")


def _write_file(element: ET.Element, file: dict) -> None:
    _sub(element, "name", file["name"] or "")
    for file_type in file["file_types"]:
        if file_type in FILE_TYPES_2022:
            _sub(element, "fileType", file_type)
        else:
            _sub(element, "fileType", "user", {"user": file_type})
