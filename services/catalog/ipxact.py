"""Reading an IEEE 1685 (IP-XACT) component description into the fields of a draft core, and
writing a core back as a 1685-2022 component.

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

from services.catalog import taxonomy
from shared.errors import Invalid

NAMESPACE = re.compile(
    r"^https?://www\.(spiritconsortium|accellera)\.org/XMLSchema/(SPIRIT|IPXACT)/[^/]+/?$")
XILINX = "http://www.xilinx.com"
# Our own vendor extension: what a core says that IP-XACT has no element for (its category).
IPMARKET = "urn:ipmarket:ipxact:1"
VLNV_PART = re.compile(r"[A-Za-z0-9_.\-]+")
# 1685-2022 names the interface modes initiator/target where earlier versions said master/slave;
# a core keeps the 2022 name, whichever version it was imported from.
MODE_2022 = {"master": "initiator", "slave": "target", "mirroredMaster": "mirroredInitiator",
             "mirroredSlave": "mirroredTarget"}
MODES = ("initiator", "target", "system", "mirroredInitiator", "mirroredTarget",
         "mirroredSystem", "monitor")

# Bus types whose name says which standard they are (vendor bus definitions from Xilinx, ARM,
# Intel and the Accellera/ARM AMBA library).
STANDARD_BY_BUS_NAME = {
    "aximm": "AXI4", "axi4": "AXI4", "axi": "AXI4", "axi3": "AXI3", "axi4lite": "AXI4-Lite",
    "axilite": "AXI4-Lite", "axis": "AXI4-Stream", "axi4stream": "AXI4-Stream",
    "ahb": "AHB", "ahblite": "AHB-Lite", "apb": "APB", "apb3": "APB", "apb4": "APB",
    "ace": "ACE", "chi": "CHI", "wishbone": "Wishbone", "avalon": "Avalon",
    "avalonmm": "Avalon", "iic": "I2C", "i2c": "I2C", "spi": "SPI", "uart": "UART",
    "jtag": "JTAG", "tmds": "DVI", "hdmi": "HDMI 2.1", "pcie": "PCIe 4.0",
    "pcie3": "PCIe 3.0", "pcie4": "PCIe 4.0", "pcie5": "PCIe 5.0", "gmii": "Ethernet 1G",
    "rgmii": "Ethernet 1G", "sgmii": "Ethernet 1G", "xgmii": "Ethernet 10G",
    "ddr4": "DDR4", "ddr5": "DDR5", "lpddr4": "LPDDR4X", "lpddr5": "LPDDR5",
    "csi2": "MIPI CSI-2", "mipicsi2": "MIPI CSI-2", "dsi": "MIPI DSI", "dphy": "MIPI D-PHY",
    "usb": "USB 2.0", "ulpi": "USB 2.0", "canfd": "CAN FD",
}
# Vivado's IP catalog taxonomy → our categories (first match of a path prefix wins).
CATEGORY_BY_XILINX_TAXONOMY = (
    ("/video_&_image_processing", "dsp_multimedia"),
    ("/digital_signal_processing", "dsp_multimedia"),
    ("/math_functions", "dsp_multimedia"),
    ("/audio", "dsp_multimedia"),
    ("/embedded_processing/processor", "processors_controllers"),
    ("/embedded_processing/axi_infrastructure", "interconnect_noc"),
    ("/axi_infrastructure", "interconnect_noc"),
    ("/embedded_processing/memory_and_memory_controller", "memory_controllers_phys"),
    ("/memories_&_storage_elements", "memories"),
    ("/communication_&_networking", "interface_controllers_phys"),
    ("/embedded_processing/axi_peripheral", "interface_controllers_phys"),
    ("/standard_bus_interfaces", "interface_controllers_phys"),
    ("/debug_&_verification", "verification_ip"),
    ("/fpga_features_and_design/clocking", "analog_mixed_signal"),
    ("/security", "security_crypto"),
    ("/wireless", "wireless_rf"),
)
HDL_BY_FILE_TYPE = (("systemverilog", "systemverilog"), ("verilog", "verilog"),
                    ("vhdl", "vhdl"), ("systemc", "systemc"))
DOCUMENT_FILE = re.compile(r"\.(pdf|html?|md|txt)$", re.IGNORECASE)


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
        raise Invalid(f"the component's <version> {vlnv['version']!r} is not an IP-XACT "
                      "version (letters, digits, '_', '.', '-'); give one with ?version=1.0",
                      field="component/version")

    xilinx = root.find(f"{find.q('vendorExtensions')}/{{{XILINX}}}coreExtensions")
    title = (xilinx is not None and xilinx.findtext(f"{{{XILINX}}}displayName")) \
        or find.text(root, "displayName") or vlnv["name"]
    bus_interfaces = [_bus_interface(find, bus) for bus in
                      root.iterfind(f"{find.q('busInterfaces')}/{find.q('busInterface')}")]
    bus_of = {}
    for bus in bus_interfaces:
        for port_map in bus["port_maps"]:
            bus_of.setdefault(port_map["physical"], bus["name"])
    ports = [port for port in (_port(find, p, bus_of) for p in
                               root.iterfind(f"{find.q('model')}/{find.q('ports')}/"
                                             f"{find.q('port')}")) if port is not None]
    memory_maps = [_memory_map(find, m) for m in
                   root.iterfind(f"{find.q('memoryMaps')}/{find.q('memoryMap')}")]
    file_sets = [_file_set(find, fs) for fs in
                 root.iterfind(f"{find.q('fileSets')}/{find.q('fileSet')}")]
    parameters = [_parameter(find, p) for p in
                  root.iterfind(f"{find.q('parameters')}/{find.q('parameter')}")]
    fields = {
        "vlnv": vlnv, "title_en": title.strip()[:300],
        "description_en": (find.text(root, "description") or "").strip(),
        "standards": sorted({b["standard"] for b in bus_interfaces if b["standard"]}),
        "bus_interfaces": bus_interfaces, "file_sets": file_sets,
        "hdl_languages": _hdl_languages(file_sets),
        "deliverable_kinds": _deliverable_kinds(file_sets),
        "parameters": parameters, "ports": ports, "memory_maps": memory_maps,
    }
    category = root.findtext(f"{find.q('vendorExtensions')}/{{{IPMARKET}}}category")
    if category and category.strip() in taxonomy.CATEGORIES:
        fields["category"] = category.strip()
    if xilinx is not None:
        category = _category(xilinx.findtext(f"{{{XILINX}}}taxonomies/{{{XILINX}}}taxonomy"))
        if category:
            fields["category"] = category
        revision = xilinx.findtext(f"{{{XILINX}}}coreRevision")
        if revision:  # kept with the parameters: the integrator asks for it with bug reports
            fields["parameters"].append({"name": "xilinx:coreRevision", "value": revision,
                                         "display_name": "Core revision", "id": None})
    return fields


def _parse(xml: bytes) -> ET.Element:
    try:
        return SafeET.fromstring(xml, forbid_dtd=False, forbid_entities=True,
                                 forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise Invalid(f"entity declarations and external references are refused ({exc})",
                      field="body") from None
    except ET.ParseError as exc:
        line, column = exc.position
        raise Invalid(f"not well-formed XML at line {line}, column {column}: {exc}",
                      field="body", line=line, column=column) from None


def _namespace(root: ET.Element) -> str:
    ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if not NAMESPACE.match(ns):
        local = root.tag.split("}", 1)[-1]
        raise Invalid(f"the root element <{local}> in namespace {ns or '(none)'!r} is not "
                      "IP-XACT (SPIRIT 1.4/1.5, 1685-2009, 1685-2014 or 1685-2022)",
                      field=local)
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
        parts = [find.attribute(bus_type, p) or "" for p in ("vendor", "library", "name",
                                                            "version")]
        ref = ":".join(parts)
        squashed = re.sub(r"[^0-9a-z]", "", parts[2].lower())
        standard = STANDARD_BY_BUS_NAME.get(squashed)
        if standard is None and taxonomy.canonical_standard(parts[2]) in taxonomy.KNOWN_STANDARDS:
            standard = taxonomy.canonical_standard(parts[2])
    mode_element = next((child for child in bus
                         if _local(child) in set(MODES) | set(MODE_2022)), None)
    interface = {"name": find.text(bus, "name"), "bus_type": ref,
                 "abstraction_type": None, "mode": None, "standard": standard, "port_maps": []}
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
    abstraction = (bus.find(f"{find.q('abstractionTypes')}/{find.q('abstractionType')}/"
                            f"{find.q('abstractionRef')}")
                   if bus.find(find.q("abstractionTypes")) is not None
                   else bus.find(find.q("abstractionType")))
    if abstraction is not None:
        interface["abstraction_type"] = _vlnv_ref(find, abstraction)
    for port_map in bus.iter(find.q("portMap")):
        logical = find.text(port_map.find(find.q("logicalPort")), "name") \
            if port_map.find(find.q("logicalPort")) is not None else None
        physical = find.text(port_map.find(find.q("physicalPort")), "name") \
            if port_map.find(find.q("physicalPort")) is not None else None
        if logical and physical:
            interface["port_maps"].append({"logical": logical, "physical": physical})
    return interface


def _vlnv_ref(find: _Finder, element: ET.Element) -> str:
    return ":".join(find.attribute(element, p) or "" for p in ("vendor", "library", "name",
                                                               "version"))


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
    return {"name": name, "direction": find.text(wire, "direction"), "left": left,
            "right": right, "width": _width(left, right),
            "description": find.text(port, "description"), "bus_interface": bus_of.get(name)}


def _width(left: str | None, right: str | None) -> int | None:
    if left is None and right is None:
        return 1
    try:
        return abs(int(left, 0) - int(right, 0)) + 1
    except (TypeError, ValueError):
        return None  # an expression of parameters: the width depends on the configuration


def _memory_map(find: _Finder, memory_map: ET.Element) -> dict:
    return {"name": find.text(memory_map, "name"),
            "description": find.text(memory_map, "description"),
            "address_unit_bits": find.text(memory_map, "addressUnitBits"),
            "address_blocks": [_address_block(find, block) for block in
                               memory_map.iterfind(find.q("addressBlock"))]}


def _address_block(find: _Finder, block: ET.Element) -> dict:
    return {"name": find.text(block, "name"), "description": find.text(block, "description"),
            "base_address": find.text(block, "baseAddress"), "range": find.text(block, "range"),
            "width": find.text(block, "width"), "usage": find.text(block, "usage"),
            "access": _access(find, block, "accessPolicies", "accessPolicy"),
            "registers": [_register(find, register)
                          for register in block.iterfind(find.q("register"))]}


def _register(find: _Finder, register: ET.Element) -> dict:
    return {"name": find.text(register, "name"),
            "description": find.text(register, "description"),
            "address_offset": find.text(register, "addressOffset"),
            "size": find.text(register, "size"), "volatile": find.text(register, "volatile"),
            "access": _access(find, register, "accessPolicies", "accessPolicy"),
            "fields": [{"name": find.text(field, "name"),
                        "description": find.text(field, "description"),
                        "bit_offset": find.text(field, "bitOffset"),
                        "bit_width": find.text(field, "bitWidth"),
                        "access": _access(find, field, "fieldAccessPolicies",
                                          "fieldAccessPolicy")}
                       for field in register.iterfind(find.q("field"))]}


def _access(find: _Finder, element: ET.Element, policies: str, policy: str) -> str | None:
    # Up to 1685-2014 <access> is a child; 1685-2022 moved it into access policies.
    return find.text(element, "access") or next(
        (find.text(p, "access") for p in element.iterfind(f"{find.q(policies)}/{find.q(policy)}")
         if find.text(p, "access")), None)


def _file_set(find: _Finder, file_set: ET.Element) -> dict:
    files = []
    for file in file_set.iterfind(find.q("file")):
        # userFileType (up to 2009) and fileType="user" with a user attribute (2014 and later)
        # are the same thing: the user's own type, kept by its name.
        types = [(t.get("user") or t.text).strip() if _local(t) == "fileType" and
                 (t.text or "").strip() == "user" else (t.text or "").strip() for t in file
                 if _local(t) in {"fileType", "userFileType"} and (t.text or "").strip()]
        files.append({"name": find.text(file, "name"), "file_types": types})
    return {"name": find.text(file_set, "name"), "files": files}


def _parameter(find: _Finder, parameter: ET.Element) -> dict:
    # The id (1685-2014 and later) is what expressions elsewhere refer to, e.g. a port's bounds.
    return {"name": find.text(parameter, "name"), "value": find.text(parameter, "value"),
            "display_name": find.text(parameter, "displayName"),
            "id": parameter.get("parameterId")}


def _hdl_languages(file_sets: list[dict]) -> list[str]:
    found = set()
    for file_set in file_sets:
        for file in file_set["files"]:
            for file_type in file["file_types"]:
                for prefix, language in HDL_BY_FILE_TYPE:
                    if file_type.lower().startswith(prefix):
                        found.add(language)
                        break
    return sorted(found)


def _deliverable_kinds(file_sets: list[dict]) -> list[str]:
    kinds = set()
    if _hdl_languages(file_sets):
        kinds.add("soft_rtl")
    for file_set in file_sets:
        for file in file_set["files"]:
            if file["name"] and DOCUMENT_FILE.search(file["name"]):
                kinds.add("documentation")
            if file["name"] and re.search(r"(^|[/_])(tb|testbench)[_./]", file["name"].lower()):
                kinds.add("testbench")
    return sorted(kinds)


def _category(xilinx_taxonomy: str | None) -> str | None:
    if not xilinx_taxonomy:
        return None
    path = xilinx_taxonomy.strip().lower()
    return next((category for prefix, category in CATEGORY_BY_XILINX_TAXONOMY
                 if path.startswith(prefix)), "other")


# --- export ------------------------------------------------------------------------------------

IPXACT_2022 = "http://www.accellera.org/XMLSchema/IPXACT/1685-2022"
SCHEMA_LOCATION_2022 = f"{IPXACT_2022} {IPXACT_2022}/index.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# The fileType values 1685-2022 enumerates; any other type is written as a user type.
FILE_TYPES_2022 = frozenset((
    "unknown", "asmSource", "cSource", "cppSource", "eSource", "OVASource", "perlSource",
    "pslSource", "SVASource", "tclSource", "veraSource", "systemCSource", "systemCSource-2.0",
    "systemCSource-2.0.1", "systemCSource-2.1", "systemCSource-2.2", "systemVerilogSource",
    "systemVerilogSource-3.0", "systemVerilogSource-3.1", "systemVerilogSource-3.1a",
    "systemVerilogSource-2009", "systemVerilogSource-2012", "systemVerilogSource-2017",
    "verilogSource", "verilogSource-95", "verilogSource-2001", "vhdlSource", "vhdlSource-87",
    "vhdlSource-93", "vhdlSource-2002", "vhdlSource-2008", "vhdlSource-2019", "swObject",
    "swObjectLibrary", "vhdlBinaryLibrary", "verilogBinaryLibrary", "unelaboratedHdl",
    "executableHdl", "systemRDL", "systemRDL-1.0", "systemRDL-2.0", "sdc", "sdf", "spef",
    "liberty", "lef", "def", "gds", "oasis", "upf", "cpf", "ipxact"))


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
            element = _sub(parameters, "parameter",
                           attributes={"parameterId": parameter.get("id")})
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


def _sub(parent: ET.Element, tag: str, text: str | None = "",
         attributes: dict | None = None) -> ET.Element | None:
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
        _sub(abstraction, "abstractionRef",
             attributes=_vlnv_attributes(bus["abstraction_type"]))
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
        for name, key in (("baseAddress", "base_address"), ("range", "range"),
                          ("width", "width"), ("usage", "usage")):
            _sub(block_element, name, block.get(key))
        _write_access(block_element, "accessPolicies", "accessPolicy", block.get("access"))
        for register in block["registers"]:
            register_element = _sub(block_element, "register")
            _sub(register_element, "name", register["name"])
            _sub(register_element, "description", register.get("description"))
            _sub(register_element, "addressOffset", register.get("address_offset"))
            _sub(register_element, "size", register.get("size"))
            _sub(register_element, "volatile", register.get("volatile"))
            _write_access(register_element, "accessPolicies", "accessPolicy",
                          register.get("access"))
            for field in register["fields"]:
                field_element = _sub(register_element, "field")
                _sub(field_element, "name", field["name"])
                _sub(field_element, "description", field.get("description"))
                _sub(field_element, "bitOffset", field.get("bit_offset"))
                _sub(field_element, "bitWidth", field.get("bit_width"))
                _write_access(field_element, "fieldAccessPolicies", "fieldAccessPolicy",
                              field.get("access"))
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
