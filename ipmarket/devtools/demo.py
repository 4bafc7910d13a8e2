"""The demo marketplace of the README's walkthrough: vendors in Mainland China, Hong Kong, Taiwan
and overseas, two licensees, and 50+ published cores across the taxonomy with their offers.

Loaded through the domain code (so every event flows as in real use) and idempotent:
organisations are recognised by legal name and cores by VLNV, so a second run adds nothing.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from services.catalog import cores, organisations, vendor_names
from services.catalog.models import Core, Organisation, VendorNameClaim
from shared.directory import Principal

# key: (legal name, Chinese name, country, time zone, locale, roles, contact, VLNV vendor)
ORGANISATIONS = {
    "xinyuan": (
        "Shanghai Xinyuan Microelectronics Co., Ltd.",
        "上海芯元微电子有限公司",
        "CN",
        "Asia/Shanghai",
        "zh-Hans",
        ["vendor"],
        ("李明", "liming@xinyuan-micro.example"),
        "xinyuan-micro.cn",
    ),
    "pengcheng": (
        "Shenzhen Pengcheng Semiconductor IP Co., Ltd.",
        "深圳鹏城半导体IP有限公司",
        "CN",
        "Asia/Shanghai",
        "zh-Hans",
        ["vendor"],
        ("陈静", "chenjing@pengcheng-ip.example"),
        "pengcheng-ip.cn",
    ),
    "xihu": (
        "Hangzhou Xihu Security Silicon Co., Ltd.",
        "杭州西湖安芯科技有限公司",
        "CN",
        "Asia/Shanghai",
        "zh-Hans",
        ["vendor"],
        ("王伟", "wangwei@xihu-sec.example"),
        "xihu-sec.cn",
    ),
    "harbour": (
        "Victoria Harbour Silicon Ltd.",
        "維港矽科技有限公司",
        "HK",
        "Asia/Hong_Kong",
        "zh-Hant",
        ["vendor", "licensee"],
        ("Mandy Chan", "mandy@vhsilicon.example"),
        "vhsilicon.hk",
    ),
    "kowloon": (
        "Kowloon Mixed-Signal Design Ltd.",
        "九龍混合信號設計有限公司",
        "HK",
        "Asia/Hong_Kong",
        "en",
        ["vendor"],
        ("Kelvin Lau", "kelvin@kms.example"),
        "kms-design.hk",
    ),
    "hsinchu": (
        "Hsinchu Foundation Cells Corp.",
        "新竹基礎元件股份有限公司",
        "TW",
        "Asia/Taipei",
        "zh-Hant",
        ["vendor"],
        ("林怡君", "yjlin@hfcells.example"),
        "hfcells.tw",
    ),
    "fjord": (
        "Nordic Fjord Semiconductor AS",
        None,
        "NO",
        "Europe/Oslo",
        "en",
        ["vendor"],
        ("Ingrid Solberg", "ingrid@fjordsemi.example"),
        "fjordsemi.no",
    ),
    "prairie": (
        "Silicon Prairie IP Inc.",
        None,
        "US",
        "America/Chicago",
        "en",
        ["vendor"],
        ("Dana Whitfield", "dana@siliconprairie.example"),
        "siliconprairie.com",
    ),
    "isar": (
        "Isar Verification GmbH",
        None,
        "DE",
        "Europe/Berlin",
        "en",
        ["vendor"],
        ("Jonas Huber", "jonas@isar-vip.example"),
        "isar-vip.de",
    ),
    "lakeside": (
        "Suzhou Lakeside Chip Design Co., Ltd.",
        "苏州湖畔芯片设计有限公司",
        "CN",
        "Asia/Shanghai",
        "zh-Hans",
        ["licensee"],
        ("赵丽", "zhaoli@lakeside.example"),
        None,
    ),
    "pearl": (
        "Pearl Delta Devices Ltd.",
        "珠三角器件有限公司",
        "HK",
        "Asia/Hong_Kong",
        "en",
        ["licensee"],
        ("Ivan Ho", "ivan@pearldelta.example"),
        None,
    ),
}

T28, T16, T7 = ("TSMC", "28nm"), ("TSMC", "16nm"), ("TSMC", "7nm")
S28, S14 = ("SMIC", "28nm"), ("SMIC", "14nm")
HH55, UMC40, GF22, SS8 = (
    ("Hua Hong", "55nm"),
    ("UMC", "40nm"),
    ("GlobalFoundries", "22nm"),
    ("Samsung", "8nm"),
)
RTL = ["soft_rtl", "testbench", "documentation"]
HARD = ["hard_macro_gdsii", "documentation"]

# (vendor, name, English title, Chinese title, category, standards, deliverable kinds, HDLs,
#  targets [(foundry, node, maturity)], ECCN, list price in USD, currency, description)
PRODUCTS = [
    (
        "xinyuan",
        "rv32_mcu",
        "RV32IMC microcontroller core",
        "RV32IMC 微控制器内核",
        "processors_controllers",
        ["RISC-V", "AHB-Lite", "JTAG"],
        RTL,
        ["systemverilog"],
        [(*S28, "silicon_proven"), (*HH55, "in_production")],
        "EAR99",
        18000,
        "CNY",
        "Three-stage in-order RISC-V core for low-power MCUs, with debug and PMP.",
    ),
    (
        "xinyuan",
        "rv64_app",
        "RV64GC application processor",
        "RV64GC 应用处理器",
        "processors_controllers",
        ["RISC-V", "AXI4", "CHI"],
        RTL,
        ["systemverilog"],
        [(*S14, "fpga_validated"), (*T7, "concept")],
        "3E001",
        450000,
        "CNY",
        "Out-of-order dual-issue RISC-V core with MMU for Linux-class SoCs.",
    ),
    (
        "xinyuan",
        "ddr4_ctrl",
        "DDR4/LPDDR4X memory controller",
        "DDR4/LPDDR4X 存储控制器",
        "memory_controllers_phys",
        ["DDR4", "LPDDR4X", "AXI4"],
        RTL,
        ["verilog"],
        [(*S28, "silicon_proven")],
        "EAR99",
        60000,
        "CNY",
        "Multi-port memory controller with reordering, ECC and low-power states.",
    ),
    (
        "xinyuan",
        "lpddr5_phy",
        "LPDDR5 PHY",
        "LPDDR5 物理层接口",
        "memory_controllers_phys",
        ["LPDDR5", "LPDDR5X"],
        HARD,
        [],
        [(*S14, "silicon_proven")],
        "3E001",
        380000,
        "CNY",
        "6400 Mbps LPDDR5/5X PHY hard macro with training firmware.",
    ),
    (
        "pengcheng",
        "pcie5_ctrl",
        "PCIe 5.0 controller",
        "PCIe 5.0 控制器",
        "interface_controllers_phys",
        ["PCIe 5.0", "AXI4"],
        RTL,
        ["systemverilog"],
        [(*T7, "fpga_validated"), (*S14, "concept")],
        "3E001",
        520000,
        "CNY",
        "Endpoint/root-port controller, 32 GT/s, SR-IOV, with AXI bridge.",
    ),
    (
        "pengcheng",
        "usb32_dev",
        "USB 3.2 device controller",
        "USB 3.2 设备控制器",
        "interface_controllers_phys",
        ["USB 3.2", "AXI4"],
        RTL,
        ["verilog"],
        [(*S28, "silicon_proven")],
        "EAR99",
        90000,
        "CNY",
        "SuperSpeed+ device controller with 32 endpoints and DMA.",
    ),
    (
        "pengcheng",
        "mipi_csi2_rx",
        "MIPI CSI-2 receiver",
        "MIPI CSI-2 图像接收器",
        "interface_controllers_phys",
        ["MIPI CSI-2", "MIPI D-PHY", "AXI4-Stream"],
        RTL,
        ["verilog"],
        [(*S28, "silicon_proven"), (*T28, "in_production")],
        "EAR99",
        40000,
        "CNY",
        "4-lane CSI-2 receiver for image sensors, virtual channels and RAW/YUV unpacking.",
    ),
    (
        "pengcheng",
        "eth_10g_mac",
        "10G Ethernet MAC",
        "万兆以太网MAC",
        "interface_controllers_phys",
        ["Ethernet 10G", "AXI4-Stream"],
        RTL,
        ["verilog"],
        [(*S28, "fpga_validated")],
        "5A991",
        35000,
        "CNY",
        "10GBASE-R MAC with PTP timestamps and flow control.",
    ),
    (
        "xihu",
        "sm4_engine",
        "SM4 block cipher engine",
        "SM4 分组密码引擎",
        "security_crypto",
        ["SM4", "AXI4", "APB"],
        RTL,
        ["verilog"],
        [(*S28, "silicon_proven")],
        "5E002",
        25000,
        "CNY",
        "GM/T 0002 SM4 engine, ECB/CBC/CTR/GCM, side-channel hardened.",
    ),
    (
        "xihu",
        "sm2_sm3_pke",
        "SM2/SM3 public-key accelerator",
        "SM2/SM3 公钥密码加速器",
        "security_crypto",
        ["SM2", "SM3", "APB"],
        RTL,
        ["verilog"],
        [(*S28, "silicon_proven")],
        "5E002",
        48000,
        "CNY",
        "Elliptic-curve SM2 signatures and SM3 hashing for secure elements.",
    ),
    (
        "xihu",
        "trng",
        "True random number generator",
        "真随机数发生器",
        "security_crypto",
        ["TRNG", "APB"],
        HARD,
        [],
        [(*S28, "in_production"), (*HH55, "silicon_proven")],
        "5A992",
        12000,
        "CNY",
        "Ring-oscillator entropy source with health tests (SP 800-90B).",
    ),
    (
        "xihu",
        "aes_gcm",
        "AES-GCM crypto engine",
        "AES-GCM 加密引擎",
        "security_crypto",
        ["AES", "SHA-2", "AXI4"],
        RTL,
        ["systemverilog"],
        [(*T28, "silicon_proven")],
        "5E002",
        30000,
        "CNY",
        "100 Gbps AES-GCM with key ladder for storage and networking.",
    ),
    (
        "harbour",
        "hdmi21_tx",
        "HDMI 2.1 transmitter",
        "HDMI 2.1 發送器",
        "interface_controllers_phys",
        ["HDMI 2.1", "AXI4-Stream"],
        RTL,
        ["verilog"],
        [(*T16, "silicon_proven")],
        "EAR99",
        150000,
        "HKD",
        "FRL transmitter with DSC 1.2a pass-through and HDCP hooks.",
    ),
    (
        "harbour",
        "h265_dec",
        "H.265/HEVC video decoder",
        "H.265/HEVC 影像解碼器",
        "dsp_multimedia",
        ["H.265", "H.264", "AXI4"],
        RTL,
        ["systemverilog"],
        [(*T16, "silicon_proven")],
        "EAR99",
        320000,
        "HKD",
        "4K60 Main10 decoder for set-top boxes and displays.",
    ),
    (
        "harbour",
        "isp_lite",
        "Image signal processor",
        "影像訊號處理器",
        "dsp_multimedia",
        ["MIPI CSI-2", "AXI4-Stream"],
        RTL,
        ["systemverilog"],
        [(*T28, "fpga_validated")],
        "EAR99",
        140000,
        "HKD",
        "Bayer ISP: demosaic, 3A statistics, noise reduction, 8MP at 30 fps.",
    ),
    (
        "harbour",
        "npu_int8",
        "INT8 neural processing unit",
        "INT8 神經網絡處理器",
        "ai_accelerators",
        ["AXI4", "APB"],
        RTL,
        ["systemverilog"],
        [(*T16, "fpga_validated"), (*T7, "concept")],
        "3A001",
        900000,
        "HKD",
        "2 TOPS convolution engine with compiler for edge vision.",
    ),
    (
        "kowloon",
        "adc12_sar",
        "12-bit SAR ADC",
        "12位元逐次逼近型類比數位轉換器",
        "analog_mixed_signal",
        [],
        HARD,
        [],
        [(*T28, "silicon_proven"), (*UMC40, "in_production")],
        "EAR99",
        30000,
        "USD",
        "5 MS/s SAR ADC with 8-channel mux, 0.9 V core.",
    ),
    (
        "kowloon",
        "pll_frac",
        "Fractional-N PLL",
        "小數分頻鎖相環",
        "analog_mixed_signal",
        [],
        HARD,
        [],
        [(*T28, "silicon_proven"), (*T16, "silicon_proven")],
        "EAR99",
        45000,
        "USD",
        "Low-jitter fractional-N PLL, 0.5–4 GHz, spread spectrum.",
    ),
    (
        "kowloon",
        "ldo_bandgap",
        "LDO and bandgap reference",
        "低壓差穩壓器與帶隙基準",
        "analog_mixed_signal",
        [],
        HARD,
        [],
        [(*HH55, "in_production")],
        "EAR99",
        8000,
        "USD",
        "Capless LDO with trimmed bandgap, 150 mA.",
    ),
    (
        "kowloon",
        "ble53_rf",
        "Bluetooth LE 5.3 radio",
        "藍牙低功耗 5.3 射頻",
        "wireless_rf",
        ["Bluetooth LE 5.3"],
        HARD,
        [],
        [(*T28, "silicon_proven")],
        "5A992",
        120000,
        "USD",
        "2.4 GHz transceiver with link layer, 3.5 mA RX.",
    ),
    (
        "hsinchu",
        "sc9t_lib",
        "9-track standard cell library",
        "9軌標準元件庫",
        "foundation_ip",
        [],
        ["hard_macro_gdsii", "documentation"],
        [],
        [(*T28, "in_production"), (*UMC40, "in_production")],
        "EAR99",
        0,
        "USD",
        "High-density 9-track library with multi-Vt and power-gating cells.",
    ),
    (
        "hsinchu",
        "gpio_lib",
        "General-purpose I/O library",
        "通用輸入輸出元件庫",
        "foundation_ip",
        ["I2C", "SPI"],
        HARD,
        [],
        [(*T28, "in_production"), (*T16, "silicon_proven")],
        "EAR99",
        15000,
        "USD",
        "1.8/3.3 V GPIO with ESD, fail-safe and I2C open-drain pads.",
    ),
    (
        "hsinchu",
        "sram_compiler",
        "Single-port SRAM compiler",
        "單埠靜態隨機存取記憶體編譯器",
        "memories",
        [],
        HARD,
        [],
        [(*T28, "in_production"), (*T16, "silicon_proven")],
        "EAR99",
        70000,
        "USD",
        "High-density SRAM instances 64 b to 512 Kb with BIST and redundancy.",
    ),
    (
        "hsinchu",
        "otp_macro",
        "One-time programmable memory",
        "一次性可程式記憶體",
        "memories",
        [],
        HARD,
        [],
        [(*T28, "silicon_proven")],
        "EAR99",
        20000,
        "USD",
        "Antifuse OTP 4 Kb for trimming and keys, no extra masks.",
    ),
    (
        "fjord",
        "ble_ll",
        "Bluetooth LE link layer",
        None,
        "wireless_rf",
        ["Bluetooth LE 5.3", "AHB-Lite"],
        RTL,
        ["verilog"],
        [(*GF22, "silicon_proven")],
        "5A992",
        55000,
        "USD",
        "Link-layer controller for LE Audio and direction finding.",
    ),
    (
        "fjord",
        "dsp_audio",
        "Audio DSP core",
        None,
        "dsp_multimedia",
        ["AXI4", "I2C"],
        RTL,
        ["systemverilog"],
        [(*GF22, "in_production")],
        "EAR99",
        80000,
        "USD",
        "Dual-MAC audio DSP with noise-cancellation library.",
    ),
    (
        "fjord",
        "i3c_ctrl",
        "MIPI I3C controller",
        None,
        "interface_controllers_phys",
        ["MIPI I3C", "I2C", "APB"],
        RTL,
        ["verilog"],
        [(*GF22, "silicon_proven")],
        "EAR99",
        15000,
        "USD",
        "I3C main/secondary controller with legacy I2C support.",
    ),
    (
        "prairie",
        "ucie_phy",
        "UCIe die-to-die PHY",
        None,
        "interface_controllers_phys",
        ["UCIe 1.0"],
        HARD,
        [],
        [(*T7, "fpga_validated")],
        "3E001",
        1200000,
        "USD",
        "32 GT/s UCIe advanced-package PHY for chiplets.",
    ),
    (
        "prairie",
        "noc_fabric",
        "Coherent network-on-chip",
        None,
        "interconnect_noc",
        ["CHI", "AXI4", "ACE"],
        RTL,
        ["systemverilog"],
        [(*T7, "silicon_proven"), (*SS8, "silicon_proven")],
        "3E001",
        600000,
        "USD",
        "Mesh NoC with CHI coherence, QoS and safety features.",
    ),
    (
        "prairie",
        "hbm3_ctrl",
        "HBM3 memory controller",
        None,
        "memory_controllers_phys",
        ["HBM3", "AXI4"],
        RTL,
        ["systemverilog"],
        [(*T7, "fpga_validated")],
        "3E001",
        750000,
        "USD",
        "HBM3 controller for AI accelerators, 16 channels, 6.4 Gbps.",
    ),
    (
        "prairie",
        "can_fd",
        "CAN FD controller",
        None,
        "interface_controllers_phys",
        ["CAN FD", "APB"],
        RTL,
        ["verilog", "vhdl"],
        [(*UMC40, "in_production")],
        "EAR99",
        9000,
        "USD",
        "ISO 11898-1 CAN FD controller for automotive MCUs, ASIL-B ready.",
    ),
    (
        "isar",
        "axi4_vip",
        "AXI4 verification IP",
        None,
        "verification_ip",
        ["AXI4", "AXI4-Lite"],
        ["testbench", "documentation"],
        ["systemverilog"],
        [],
        "EAR99",
        20000,
        "USD",
        "UVM agent, scoreboard and protocol checkers for AXI4 and AXI4-Lite.",
    ),
    (
        "isar",
        "pcie_vip",
        "PCIe verification IP",
        None,
        "verification_ip",
        ["PCIe 5.0", "PCIe 6.0"],
        ["testbench", "documentation"],
        ["systemverilog"],
        [],
        "EAR99",
        65000,
        "USD",
        "UVM PCIe 5.0/6.0 models with compliance test suite.",
    ),
    (
        "isar",
        "ddr5_vip",
        "DDR5 memory model",
        None,
        "verification_ip",
        ["DDR5", "LPDDR5"],
        ["testbench", "documentation"],
        ["systemverilog"],
        [],
        "EAR99",
        30000,
        "USD",
        "Cycle-accurate DDR5/LPDDR5 device models with timing checks.",
    ),
]
# Each product ships in two versions; the older one is deprecated where the vendor said so.
VERSIONS = ("1.0.0", "1.1.0")
OLDER_DEPRECATED = {"rv32_mcu", "ddr4_ctrl", "usb32_dev", "hdmi21_tx", "sc9t_lib"}


def offers_for(price_usd: int, currency: str) -> list[dict]:
    rate = {"USD": 1, "CNY": 7, "HKD": 8}[currency]
    local = price_usd * rate
    offers = [
        {
            "kind": "evaluation",
            "price": None,
            "on_request": False,
            "term_months": 3,
            "seats": 2,
            "requires_approval": True,
        }
    ]
    if local == 0:  # foundation IP paid for by the foundry: free to use once approved
        offers.append(
            {
                "kind": "perpetual",
                "price": {"amount": "0", "currency": currency},
                "requires_approval": True,
            }
        )
        return offers
    offers.append(
        {
            "kind": "single_project",
            "price": {"amount": str(local), "currency": currency},
            "term_months": None,
            "seats": 10,
            "requires_approval": local > 100000,
        }
    )
    if local >= 300000:
        offers.append(
            {
                "kind": "royalty_bearing",
                "price": {"amount": str(local // 2), "currency": currency},
                "royalty_percent": "1.5",
                "requires_approval": True,
            }
        )
    else:
        offers.append(
            {"kind": "multi_project", "price": None, "on_request": True, "requires_approval": True}
        )
    return offers


def _digest(*parts: str) -> str:
    return hashlib.sha256(":".join(parts).encode()).hexdigest()


def load(context, on_new_key=None) -> dict:
    """Create what is missing; hand each new organisation's API key, shown once, to
    `on_new_key(key, organisation, api_key)` (`key` as in ORGANISATIONS). Returns counts."""
    created = {"organisations": 0, "cores": 0}
    ids = {}
    for key, (
        name,
        name_zh,
        country,
        tz,
        locale,
        roles,
        (contact, email),
        vlnv_vendor,
    ) in ORGANISATIONS.items():
        with context.unit_of_work() as uow:
            org = uow.session.scalar(
                sa.select(Organisation).where(Organisation.legal_name_en == name)
            )
            if org is None:
                org = organisations.register_organisation(
                    uow,
                    legal_name_en=name,
                    legal_name_zh=name_zh,
                    country=country,
                    roles=roles,
                    locale=locale,
                    timezone=tz,
                    contacts=[{"name": contact, "email": email, "notices": ["all"]}],
                )
                api_key, secret = organisations.create_api_key(uow, org.id, "demo key")
                uow.commit()
                created["organisations"] += 1
                if on_new_key is not None:
                    on_new_key(key, org, secret)
            ids[key] = (org.id, frozenset(org.roles))
        if vlnv_vendor is not None:
            _confirm_vendor_name(context, ids[key][0], vlnv_vendor)
    for product in PRODUCTS:
        (
            vendor,
            name,
            title_en,
            title_zh,
            category,
            standards,
            kinds,
            hdls,
            targets,
            eccn,
            price,
            currency,
            description,
        ) = product
        org_id, roles = ids[vendor]
        principal = Principal(organisation_id=org_id, roles=roles, key_id="demo-loader")
        for version in VERSIONS:
            vlnv = {
                "vendor": ORGANISATIONS[vendor][7],
                "library": "ip",
                "name": name,
                "version": version,
            }
            if _exists(context, vlnv):
                continue
            with context.unit_of_work() as uow:
                core = cores.create_draft(
                    uow,
                    principal,
                    vlnv=vlnv,
                    title_en=title_en,
                    title_zh=title_zh,
                    description_en=description,
                    category=category,
                    standards=standards,
                    deliverable_kinds=kinds,
                    hdl_languages=hdls,
                    eccn=eccn,
                    targets=[{"foundry": f, "node": n, "maturity": m} for f, n, m in targets],
                    deliverables=[
                        {
                            "kind": k,
                            "name": f"{name}-{version}-{k}.tar.gz",
                            "sha256": _digest(name, version, k),
                        }
                        for k in kinds
                    ],
                    documents=[
                        {
                            "kind": "datasheet",
                            "title": f"{title_en} datasheet",
                            "url": None,
                            "sha256": _digest(name, version, "datasheet"),
                        }
                    ],
                    offers=offers_for(price, currency),
                )
                cores.change_status(uow, principal, core.id, "publish")
                if version == VERSIONS[0] and name in OLDER_DEPRECATED:
                    cores.change_status(uow, principal, core.id, "deprecate")
                uow.commit()
                created["cores"] += 1
    return created


# The operator's decisions are the demo's own: no operator organisation exists yet.
DEMO_OPERATOR = Principal(organisation_id=None, roles=frozenset({"admin"}), key_id="demo-loader")


def _confirm_vendor_name(context, organisation_id: str, name: str) -> None:
    """The vendor claims its VLNV vendor name and the operator confirms it, as in real use."""
    with context.unit_of_work() as uow:
        claim = uow.session.scalar(
            sa.select(VendorNameClaim).where(
                VendorNameClaim.organisation_id == organisation_id,
                VendorNameClaim.name == vendor_names.normalised(name),
            )
        )
        if claim is not None and claim.status == "confirmed":
            return
        if claim is None or claim.status == "declined":
            claim = vendor_names.claim_name(uow, DEMO_OPERATOR, organisation_id, name)
        vendor_names.decide(uow, DEMO_OPERATOR, claim.id, "confirmed")
        uow.commit()


def _exists(context, vlnv: dict) -> bool:
    with context.session_factory() as session:
        return (
            session.scalar(
                sa.select(Core.id).where(
                    Core.vlnv_vendor == vlnv["vendor"],
                    Core.vlnv_library == vlnv["library"],
                    Core.vlnv_name == vlnv["name"],
                    Core.vlnv_version == vlnv["version"],
                )
            )
            is not None
        )
