"""A core search: sorts, filters, visibility, cursors, results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from services.catalog.domain.search_query import (
    SearchQuery,
    decode_cursor,
    encode_cursor,
    page_of,
    quoted_words,
    result_of,
    uses_search_syntax,
    visible_groups,
)
from shared.errors import Invalid


@dataclass
class Viewer:
    organisation_id: str
    is_admin: bool = False


def test_a_text_search_is_sorted_by_relevance_unless_asked():
    assert SearchQuery(text="uart").resolved_sort() == "relevance"
    assert SearchQuery(text="uart", sort="title").resolved_sort() == "title"


def test_a_browse_cannot_be_sorted_by_relevance():
    assert SearchQuery(text="  ").resolved_sort() == "newest"
    assert SearchQuery(sort="relevance").resolved_sort() == "newest"


def test_each_filtered_facet_is_one_group_and_empty_ones_are_dropped():
    query = SearchQuery(filters={"category": ["memories", "other"], "node": []})
    assert query.filter_groups() == [["category:memories", "category:other"]]


def test_visibility_in_facet_values():
    assert visible_groups(None) == [["status:published"]]
    assert visible_groups(Viewer("org-1")) == [["status:published", "vendor:org-1"]]
    assert visible_groups(Viewer("ops", is_admin=True)) == []


def test_a_result_groups_counts_by_facet_most_first_and_totals_by_status():
    result = result_of(
        [],
        [
            ("status:published", 3),
            ("status:draft", 1),
            ("category:memories", 1),
            ("category:other", 3),
        ],
        None,
    )
    assert result.total == 4
    assert result.facets["category"] == [
        {"value": "other", "count": 3},
        {"value": "memories", "count": 1},
    ]
    assert result.facets["node"] == []


@pytest.mark.parametrize(
    ("sort", "key"),
    [("newest", datetime(2026, 1, 2, tzinfo=UTC)), ("relevance", 0.25), ("title", "UART")],
)
def test_a_cursor_gives_back_its_key_in_the_sorts_type(sort, key):
    assert decode_cursor(encode_cursor(key, "core-1"), sort) == (key, "core-1")


def test_a_cursor_of_another_sort_is_refused_naming_it():
    with pytest.raises(Invalid) as raised:
        decode_cursor(encode_cursor(0.5, "core-1"), "title")
    assert raised.value.field == "cursor"


def test_a_page_names_the_next_after_its_last_row():
    rows = [(1, "a", "A"), (2, "b", "B"), (3, "c", "C")]
    page, following = page_of(rows, 2)
    assert page == rows[:2] and decode_cursor(following, "title") == ("B", "b")
    assert page_of(rows, 3) == (rows, None)


def test_search_syntax_is_recognised():
    assert uses_search_syntax('"exact phrase"')
    assert uses_search_syntax("ddr OR lpddr")
    assert uses_search_syntax("phy -usb")
    assert not uses_search_syntax("RISC-V CSI-2")


def test_fts_words_are_quoted_so_user_input_is_only_text():
    assert quoted_words('ddr" OR x') == '"ddr" "OR" "x"'
    assert quoted_words("控制器") == '"控制" "制器"'
    assert quoted_words("***") == '""'
