from services.deliverables.domain.protection import IEEE_1735, protection_of

VERILOG_1735 = b"""// Copyright (c) 2026 Example Silicon
module top(input clk);
`pragma protect version = 1
`pragma protect encrypt_agent = "Example"
`pragma protect begin_protected
`pragma protect key_keyowner = "Cadence Design Systems."
`pragma protect key_block
YWJjZGVm
`pragma protect encoding = (enctype = "base64", line_length = 76, bytes = 4096)
`pragma protect data_method = "aes128-cbc"
`pragma protect data_block
Zm9vYmFy
`pragma protect end_protected
endmodule
"""

VHDL_1735 = b"""library ieee;
`protect begin_protected
`protect version = 1
`protect encoding = (enctype = "base64", line_length = 76, bytes = 64)
`protect data_block
Zm9vYmFy
`protect end_protected
"""


def test_a_verilog_envelope_is_recognised():
    assert protection_of(VERILOG_1735) == IEEE_1735


def test_a_vhdl_envelope_is_recognised():
    assert protection_of(VHDL_1735) == IEEE_1735


def test_plain_rtl_is_not_protected():
    assert protection_of(b"module top(input clk);\nendmodule\n") is None


def test_a_mention_in_a_comment_is_not_an_envelope():
    text = b"// files use `pragma protect begin_protected when encrypted\nmodule top;\nendmodule\n"
    assert protection_of(text) is None


def test_binary_data_is_not_protected():
    assert protection_of(bytes(range(256)) * 100) is None
