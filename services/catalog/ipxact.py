"""Reading an IEEE 1685 (IP-XACT) component description into the fields of a draft core.

SPIRIT 1.4/1.5, 1685-2009, 1685-2014 and 1685-2022 are recognised by their namespace (matched
leniently: tools emit variants). defusedxml refuses DTD entities and external references, so an
upload cannot expand entities ("billion laughs") or read local files.
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
    else:
        vlnv["version"] = _semantic_version(vlnv["version"])

    xilinx = root.find(f"{find.q('vendorExtensions')}/{{{XILINX}}}coreExtensions")
    title = (xilinx is not None and xilinx.findtext(f"{{{XILINX}}}displayName")) \
        or find.text(root, "displayName") or vlnv["name"]
    bus_interfaces = [_bus_interface(find, bus) for bus in
                      root.iterfind(f"{find.q('busInterfaces')}/{find.q('busInterface')}")]
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
        "parameters": parameters,
    }
    if xilinx is not None:
        category = _category(xilinx.findtext(f"{{{XILINX}}}taxonomies/{{{XILINX}}}taxonomy"))
        if category:
            fields["category"] = category
        revision = xilinx.findtext(f"{{{XILINX}}}coreRevision")
        if revision:  # kept with the parameters: the integrator asks for it with bug reports
            fields["parameters"].append({"name": "xilinx:coreRevision", "value": revision,
                                         "display_name": "Core revision"})
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


def _semantic_version(text: str) -> str:
    """IP-XACT versions are free text; "1.2" becomes "1.2.0". Anything else must be given."""
    if re.fullmatch(r"\d+(\.\d+){0,2}", text):
        parts = [str(int(p)) for p in text.split(".")]
        return ".".join(parts + ["0"] * (3 - len(parts)))
    if re.fullmatch(r"\d+\.\d+\.\d+([-+].*)?", text):
        return text
    raise Invalid(f"the component's <version> {text!r} is not a semantic version; give one "
                  "with ?version=1.0.0", field="component/version")


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
    mode = next((child.tag.split("}", 1)[-1] for child in bus
                 if child.tag.split("}", 1)[-1] in {"master", "slave", "system", "mirroredMaster",
                                                     "mirroredSlave", "mirroredSystem",
                                                     "monitor", "initiator", "target",
                                                     "mirroredInitiator", "mirroredTarget"}),
                None)
    return {"name": find.text(bus, "name"), "bus_type": ref, "mode": mode, "standard": standard}


def _file_set(find: _Finder, file_set: ET.Element) -> dict:
    files = []
    for file in file_set.iterfind(find.q("file")):
        types = [t.text.strip() for t in file
                 if t.tag.split("}", 1)[-1] in {"fileType", "userFileType"} and t.text]
        files.append({"name": find.text(file, "name"), "file_types": types})
    return {"name": find.text(file_set, "name"), "files": files}


def _parameter(find: _Finder, parameter: ET.Element) -> dict:
    return {"name": find.text(parameter, "name"), "value": find.text(parameter, "value"),
            "display_name": find.text(parameter, "displayName")}


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
