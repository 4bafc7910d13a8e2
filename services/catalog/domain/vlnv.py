"""VLNV: the vendor, library, name and version that name one IP-XACT component version."""

from __future__ import annotations

import re

from shared.errors import Invalid

PARTS = ("vendor", "library", "name", "version")
# IP-XACT names: letters, digits, '_', '.' and '-'.
PART = re.compile(r"[A-Za-z0-9_.\-]+")


def checked_vlnv(vlnv: dict) -> dict:
    """The four parts, trimmed; Invalid names the first part missing or misspelt."""
    for part in PARTS:
        value = (vlnv.get(part) or "").strip()
        if not value:
            raise Invalid(f"the VLNV needs a {part}", field=f"vlnv.{part}")
        if not PART.fullmatch(value):
            raise Invalid(
                "VLNV parts are letters, digits, '_', '.' and '-' (IP-XACT names)",
                field=f"vlnv.{part}",
            )
    return {part: vlnv[part].strip() for part in PARTS}


def vlnv_text(vlnv: dict) -> str:
    """vendor:library:name:version, as IP-XACT tools write a reference."""
    return ":".join(vlnv[part] for part in PARTS)
