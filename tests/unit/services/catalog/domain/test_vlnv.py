"""VLNV parts."""

from __future__ import annotations

import pytest

from services.catalog.domain.vlnv import checked_vlnv, vlnv_text
from shared.errors import Invalid

VLNV = {"vendor": "example.com", "library": "ip", "name": "uart", "version": "1.0"}


def test_parts_are_trimmed():
    assert checked_vlnv({**VLNV, "name": "  uart "})["name"] == "uart"


@pytest.mark.parametrize("part", ["vendor", "library", "name", "version"])
def test_a_missing_part_is_named(part):
    with pytest.raises(Invalid) as raised:
        checked_vlnv({**VLNV, part: " "})
    assert raised.value.field == f"vlnv.{part}"


def test_a_part_that_is_no_ip_xact_name_is_refused():
    with pytest.raises(Invalid) as raised:
        checked_vlnv({**VLNV, "library": "my lib"})
    assert raised.value.field == "vlnv.library"


def test_the_text_form_joins_the_parts_with_colons():
    assert vlnv_text(VLNV) == "example.com:ip:uart:1.0"
