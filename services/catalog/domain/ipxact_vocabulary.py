"""The IP-XACT (IEEE 1685) vocabulary the catalog reads and writes: namespaces, interface modes,
and how bus types, Vivado taxonomies and file types map onto the catalog's taxonomy."""

from __future__ import annotations

import re

NAMESPACE = re.compile(
    r"^https?://www\.(spiritconsortium|accellera)\.org/XMLSchema/(SPIRIT|IPXACT)/[^/]+/?$"
)
XILINX = "http://www.xilinx.com"
# Our own vendor extension: what a core says that IP-XACT has no element for (its category).
IPMARKET = "urn:ipmarket:ipxact:1"
VLNV_PART = re.compile(r"[A-Za-z0-9_.\-]+")
# 1685-2022 names the interface modes initiator/target where earlier versions said master/slave;
# a core keeps the 2022 name, whichever version it was imported from.
MODE_2022 = {
    "master": "initiator",
    "slave": "target",
    "mirroredMaster": "mirroredInitiator",
    "mirroredSlave": "mirroredTarget",
}
MODES = (
    "initiator",
    "target",
    "system",
    "mirroredInitiator",
    "mirroredTarget",
    "mirroredSystem",
    "monitor",
)

# Bus types whose name says which standard they are (vendor bus definitions from Xilinx, ARM,
# Intel and the Accellera/ARM AMBA library).
STANDARD_BY_BUS_NAME = {
    "aximm": "AXI4",
    "axi4": "AXI4",
    "axi": "AXI4",
    "axi3": "AXI3",
    "axi4lite": "AXI4-Lite",
    "axilite": "AXI4-Lite",
    "axis": "AXI4-Stream",
    "axi4stream": "AXI4-Stream",
    "ahb": "AHB",
    "ahblite": "AHB-Lite",
    "apb": "APB",
    "apb3": "APB",
    "apb4": "APB",
    "ace": "ACE",
    "chi": "CHI",
    "wishbone": "Wishbone",
    "avalon": "Avalon",
    "avalonmm": "Avalon",
    "iic": "I2C",
    "i2c": "I2C",
    "spi": "SPI",
    "uart": "UART",
    "jtag": "JTAG",
    "tmds": "DVI",
    "hdmi": "HDMI 2.1",
    "pcie": "PCIe 4.0",
    "pcie3": "PCIe 3.0",
    "pcie4": "PCIe 4.0",
    "pcie5": "PCIe 5.0",
    "gmii": "Ethernet 1G",
    "rgmii": "Ethernet 1G",
    "sgmii": "Ethernet 1G",
    "xgmii": "Ethernet 10G",
    "ddr4": "DDR4",
    "ddr5": "DDR5",
    "lpddr4": "LPDDR4X",
    "lpddr5": "LPDDR5",
    "csi2": "MIPI CSI-2",
    "mipicsi2": "MIPI CSI-2",
    "dsi": "MIPI DSI",
    "dphy": "MIPI D-PHY",
    "usb": "USB 2.0",
    "ulpi": "USB 2.0",
    "canfd": "CAN FD",
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
HDL_BY_FILE_TYPE = (
    ("systemverilog", "systemverilog"),
    ("verilog", "verilog"),
    ("vhdl", "vhdl"),
    ("systemc", "systemc"),
)
DOCUMENT_FILE = re.compile(r"\.(pdf|html?|md|txt)$", re.IGNORECASE)


def hdl_languages_of(file_sets: list[dict]) -> list[str]:
    found = set()
    for file_set in file_sets:
        for file in file_set["files"]:
            for file_type in file["file_types"]:
                for prefix, language in HDL_BY_FILE_TYPE:
                    if file_type.lower().startswith(prefix):
                        found.add(language)
                        break
    return sorted(found)


def deliverable_kinds_of(file_sets: list[dict]) -> list[str]:
    kinds = set()
    if hdl_languages_of(file_sets):
        kinds.add("soft_rtl")
    for file_set in file_sets:
        for file in file_set["files"]:
            if file["name"] and DOCUMENT_FILE.search(file["name"]):
                kinds.add("documentation")
            if file["name"] and re.search(r"(^|[/_])(tb|testbench)[_./]", file["name"].lower()):
                kinds.add("testbench")
    return sorted(kinds)


def category_of(xilinx_taxonomy: str | None) -> str | None:
    if not xilinx_taxonomy:
        return None
    path = xilinx_taxonomy.strip().lower()
    return next(
        (category for prefix, category in CATEGORY_BY_XILINX_TAXONOMY if path.startswith(prefix)),
        "other",
    )


# --- export (1685-2022) --------------------------------------------------------------------

IPXACT_2022 = "http://www.accellera.org/XMLSchema/IPXACT/1685-2022"
SCHEMA_LOCATION_2022 = f"{IPXACT_2022} {IPXACT_2022}/index.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# The fileType values 1685-2022 enumerates; any other type is written as a user type.
FILE_TYPES_2022 = frozenset(
    (
        "unknown",
        "asmSource",
        "cSource",
        "cppSource",
        "eSource",
        "OVASource",
        "perlSource",
        "pslSource",
        "SVASource",
        "tclSource",
        "veraSource",
        "systemCSource",
        "systemCSource-2.0",
        "systemCSource-2.0.1",
        "systemCSource-2.1",
        "systemCSource-2.2",
        "systemVerilogSource",
        "systemVerilogSource-3.0",
        "systemVerilogSource-3.1",
        "systemVerilogSource-3.1a",
        "systemVerilogSource-2009",
        "systemVerilogSource-2012",
        "systemVerilogSource-2017",
        "verilogSource",
        "verilogSource-95",
        "verilogSource-2001",
        "vhdlSource",
        "vhdlSource-87",
        "vhdlSource-93",
        "vhdlSource-2002",
        "vhdlSource-2008",
        "vhdlSource-2019",
        "swObject",
        "swObjectLibrary",
        "vhdlBinaryLibrary",
        "verilogBinaryLibrary",
        "unelaboratedHdl",
        "executableHdl",
        "systemRDL",
        "systemRDL-1.0",
        "systemRDL-2.0",
        "sdc",
        "sdf",
        "spef",
        "liberty",
        "lef",
        "def",
        "gds",
        "oasis",
        "upf",
        "cpf",
        "ipxact",
    )
)
