"""Pages and cursors (services/notify/listing.py): no database, the pure parts."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from services.notify import listing
from shared.errors import Invalid

NOW = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)


def test_a_cursor_gives_back_the_time_and_id_it_was_made_of():
    assert listing.decode_cursor(listing.encode_cursor(NOW, "d-1")) == (NOW, "d-1")
    assert listing.decode_cursor(listing.encode_cursor(NOW, 42), int) == (NOW, 42)


@pytest.mark.parametrize(
    "cursor",
    [
        "not-one",
        "",
        "%%%",
        base64.urlsafe_b64encode(b'["yesterday", "d-1"]').decode(),
        base64.urlsafe_b64encode(b'{"a": 1}').decode(),
    ],
)
def test_a_cursor_the_api_did_not_hand_out_is_invalid_naming_the_field(cursor):
    with pytest.raises(Invalid) as error:
        listing.decode_cursor(cursor)
    assert error.value.field == "cursor"


@pytest.mark.parametrize("row_id", [2**63, True, "7", None])
def test_an_id_of_the_wrong_kind_or_past_64_bits_is_invalid(row_id):
    cursor = base64.urlsafe_b64encode(json.dumps([NOW.isoformat(), row_id]).encode()).decode()
    with pytest.raises(Invalid):
        listing.decode_cursor(cursor, int)


def test_a_short_list_is_the_last_page():
    assert listing.page([1, 2], 2, lambda row: (NOW, row)) == {"items": [1, 2], "next": None}


def test_a_long_list_is_cut_at_the_limit_and_resumes_after_the_last_row_shown():
    shown = listing.page([3, 2, 1], 2, lambda row: (NOW, row))
    assert shown["items"] == [3, 2]
    assert listing.decode_cursor(shown["next"], int) == (NOW, 2)


def test_a_whole_list_has_no_next_page():
    assert listing.whole(["a"]) == {"items": ["a"], "next": None}
