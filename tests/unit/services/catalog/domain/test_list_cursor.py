"""Cursors of the catalog's lists."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from services.catalog.domain.list_cursor import (
    PageRequest,
    decode_cursor,
    encode_cursor,
    page_and_next,
)
from shared.errors import Invalid

WHEN = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)


def test_a_cursor_names_the_time_and_id_it_was_made_of():
    assert decode_cursor(encode_cursor(WHEN, "id-1")) == (WHEN, "id-1")


@pytest.mark.parametrize(
    "cursor",
    ["", "!!!", encode_cursor(WHEN, "x")[:-3] + "zzz", "WyIyMDI2LTAzLTAxVDEyOjMwOjAwIiwgImEiXQ"],
)  # naive time
def test_what_is_no_cursor_is_refused_naming_it(cursor):
    with pytest.raises(Invalid) as raised:
        decode_cursor(cursor)
    assert raised.value.field == "cursor"


def test_a_page_request_without_cursor_starts_at_the_beginning():
    assert PageRequest().after() is None
    assert PageRequest(encode_cursor(WHEN, "a"), 5).after() == (WHEN, "a")


def items(n):
    return [SimpleNamespace(created_at=WHEN, id=f"id-{i}") for i in range(n)]


def test_the_last_page_has_no_next():
    page, following = page_and_next(items(3), 3)
    assert len(page) == 3 and following is None


def test_a_page_with_more_behind_it_names_its_last_item():
    page, following = page_and_next(items(4), 3)
    assert [item.id for item in page] == ["id-0", "id-1", "id-2"]
    assert decode_cursor(following) == (WHEN, "id-2")
