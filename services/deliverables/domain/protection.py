"""Recognising a file the vendor protected with IEEE 1735 (`pragma protect` envelopes).

Such a file is passed through unchanged: its protected blocks can only be opened by the EDA
tools holding the vendor's keys. Recognising it lets the catalog label it, so a licensee knows
that what arrives is an encrypted envelope, not readable RTL."""

from __future__ import annotations

import re

IEEE_1735 = "ieee1735"
# How much of a file's start is looked at: envelopes begin in the first lines, after at most a
# licence header; a protected file without one there is not labelled (a false "no" is harmless).
SNIFF_BYTES = 64 * 1024

# Verilog/SystemVerilog `pragma protect begin_protected, VHDL `protect begin_protected (1735
# §5), with the encoding and data blocks that an envelope must carry.
_BEGIN = re.compile(rb"^[ \t]*`(?:pragma[ \t]+)?protect[ \t]+begin_protected\b", re.M | re.I)
_DATA = re.compile(rb"^[ \t]*`(?:pragma[ \t]+)?protect[ \t]+(?:data_block|encoding)\b", re.M | re.I)


def protection_of(head: bytes) -> str | None:
    """IEEE_1735 when the file that starts with `head` holds a protected envelope, else None."""
    head = head[:SNIFF_BYTES]
    if _BEGIN.search(head) and _DATA.search(head):
        return IEEE_1735
    return None
