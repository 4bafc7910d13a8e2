"""The catalog's fixed vocabularies: categories, deliverable kinds, maturities, standards, price
bands. Plain data and the few pure functions that normalise values against it."""

from __future__ import annotations

import re
from decimal import Decimal

# Category taxonomy, after the groupings real IP catalogs (and design-IP market reports) use.
CATEGORIES = {
    "processors_controllers": "Processors & controllers",
    "interface_controllers_phys": "Interface controllers & PHYs",
    "memory_controllers_phys": "Memory controllers & PHYs",
    "memories": "Memories",
    "analog_mixed_signal": "Analog & mixed-signal",
    "security_crypto": "Security & crypto",
    "dsp_multimedia": "DSP & multimedia",
    "wireless_rf": "Wireless & RF",
    "foundation_ip": "Foundation IP (standard cells, I/O)",
    "verification_ip": "Verification IP",
    "interconnect_noc": "Interconnect & NoC",
    "ai_accelerators": "AI accelerators",
    "other": "Other",
}
DELIVERABLE_KINDS = ("soft_rtl", "firm_netlist", "hard_macro_gdsii", "testbench", "documentation")
HDL_LANGUAGES = ("verilog", "systemverilog", "vhdl", "chisel", "systemc")
MATURITIES = ("concept", "fpga_validated", "silicon_proven", "in_production")
OFFER_KINDS = ("evaluation", "single_project", "multi_project", "perpetual", "royalty_bearing")
CURRENCIES = ("USD", "CNY", "HKD")
DOCUMENT_KINDS = (
    "datasheet",
    "user_guide",
    "integration_guide",
    "release_notes",
    "verification_report",
)
STATUSES = ("draft", "published", "deprecated", "withdrawn")

# Canonical spellings of the standards and interfaces people search for; input is matched without
# case, spaces or punctuation so that "pcie 5.0", "PCIe5.0" and "PCIE-5.0" are one facet value.
KNOWN_STANDARDS = (
    "AXI3",
    "AXI4",
    "AXI4-Lite",
    "AXI4-Stream",
    "AHB",
    "AHB-Lite",
    "APB",
    "ACE",
    "CHI",
    "Wishbone",
    "TileLink",
    "PCIe 3.0",
    "PCIe 4.0",
    "PCIe 5.0",
    "PCIe 6.0",
    "CXL 2.0",
    "CXL 3.0",
    "USB 2.0",
    "USB 3.2",
    "USB4",
    "Ethernet 10G",
    "Ethernet 100G",
    "Ethernet 1G",
    "DDR4",
    "DDR5",
    "LPDDR4X",
    "LPDDR5",
    "LPDDR5X",
    "HBM2E",
    "HBM3",
    "GDDR6",
    "ONFI 4.2",
    "eMMC 5.1",
    "SD 6.0",
    "MIPI CSI-2",
    "MIPI DSI",
    "MIPI D-PHY",
    "MIPI C-PHY",
    "MIPI I3C",
    "HDMI 2.1",
    "DVI",
    "DisplayPort 1.4",
    "I2C",
    "SPI",
    "UART",
    "CAN FD",
    "JTAG",
    "SATA 3.0",
    "UCIe 1.0",
    "RISC-V",
    "AES",
    "SHA-2",
    "SHA-3",
    "SM2",
    "SM3",
    "SM4",
    "RSA",
    "ECC",
    "TRNG",
    "Bluetooth LE 5.3",
    "Wi-Fi 6",
    "IEEE 802.15.4",
    "NB-IoT",
    "GNSS",
    "H.264",
    "H.265",
    "JPEG",
    "Avalon",
)


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


_STANDARD_BY_SQUASHED = {_squash(s): s for s in KNOWN_STANDARDS}


def canonical_standard(text: str) -> str:
    """The known spelling of a standard, or the trimmed text when it is not a known one."""
    text = " ".join(text.split())
    return _STANDARD_BY_SQUASHED.get(_squash(text), text)


# Price bands are in US dollars; CNY and HKD are converted at fixed indicative rates (a facet
# only groups offers roughly; it is never used to charge anything).
USD_PER_UNIT = {"USD": Decimal("1"), "CNY": Decimal("0.14"), "HKD": Decimal("0.128")}
PRICE_BANDS = (  # (name, upper bound in USD, exclusive)
    ("under_10k", Decimal("10000")),
    ("10k_50k", Decimal("50000")),
    ("50k_250k", Decimal("250000")),
    ("250k_plus", None),
)
ON_REQUEST = "on_request"


def price_band(offers: list[dict]) -> str:
    """The band of the cheapest priced offer that grants production use (evaluations are
    usually free and say nothing about what a core costs)."""
    prices = [
        Decimal(str(o["price"]["amount"])) * USD_PER_UNIT[o["price"]["currency"]]
        for o in offers
        if o.get("price") and o["kind"] != "evaluation"
    ]
    if not prices:
        return ON_REQUEST
    cheapest = min(prices)
    for name, bound in PRICE_BANDS:
        if bound is None or cheapest < bound:
            return name
    raise AssertionError("unreachable: the last band has no bound")


# --- Chinese text in full-text search --------------------------------------------------------
# Neither PostgreSQL's parser nor SQLite's unicode61 tokenizer splits Chinese into words: a run of
# Han characters is one token, so "控制器" would not find "高速串行接口控制器". Overlapping bigrams
# (plus single characters) make every substring of two or more characters findable, the classic
# approach of CJK search engines, with no extension needed.
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]+")


def cjk_document_terms(text: str) -> str:
    terms = []
    for run in CJK_RUN.findall(text or ""):
        terms.extend(run)
        terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    return " ".join(terms)


def cjk_query_terms(text: str) -> list[str]:
    terms = []
    for run in CJK_RUN.findall(text or ""):
        terms.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
    return terms


def without_cjk(text: str) -> str:
    return CJK_RUN.sub(" ", text or "")
