"""A core search as the domain sees it: the query, its sort, cursors, who sees what in facet
values, and the result built from facet counts. No SQL here: the backends (search/) run it."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from datetime import datetime

from services.catalog.domain import taxonomy
from services.catalog.domain.access import Viewer
from shared.errors import Invalid

# Facet name → how the core's values are named in `Core.facet_values` ("name:value").
FACETS = (
    "category",
    "foundry",
    "node",
    "maturity",
    "standard",
    "deliverable",
    "region",
    "price",
    "status",
    "vendor",
)
SORTS = ("relevance", "newest", "title")
MAX_LIMIT = 100
# Search syntax a user may write ("a phrase", OR, -word); without it, words are a plain AND.
SEARCH_SYNTAX = re.compile(r'"|\bOR\b|(^|\s)-\w')


@dataclass
class SearchQuery:
    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)  # facet → any of these values
    sort: str | None = None  # relevance when there is text, else newest
    cursor: str | None = None
    limit: int = 20

    @property
    def has_text(self) -> bool:
        return bool(self.text.strip())

    def resolved_sort(self) -> str:
        """The sort asked for; relevance when there is text and none was asked, newest when
        there is no text (nothing to be relevant to)."""
        sort = self.sort or ("relevance" if self.has_text else "newest")
        return "newest" if sort == "relevance" and not self.has_text else sort

    def filter_groups(self) -> list[list[str]]:
        """One group of facet values per filtered facet: a core matches if it has any value
        of every group."""
        return [
            [f"{facet}:{v}" for v in values] for facet, values in self.filters.items() if values
        ]


@dataclass
class SearchResult:
    items: list[dict]  # the listed cores, each as the caller's `summarise` made it
    total: int
    facets: dict[str, list[dict]]
    next_cursor: str | None


def visible_groups(viewer: Viewer | None) -> list[list[str]]:
    """Which cores a viewer sees, in facet values: published ones, its own, or (operator)
    all."""
    if viewer is not None and viewer.is_admin:
        return []
    if viewer is None:
        return [["status:published"]]
    return [["status:published", f"vendor:{viewer.organisation_id}"]]


def result_of(items: list[dict], counts, next_cursor: str | None) -> SearchResult:
    """The result listing `items`, with facets from (facet value, count) pairs; the total is
    the sum over the status facet (every core has exactly one status)."""
    facets = {name: [] for name in FACETS}
    for value, count in counts:
        name, _, facet_value = value.partition(":")
        facets[name].append({"value": facet_value, "count": count})
    for values in facets.values():
        values.sort(key=lambda v: (-v["count"], v["value"]))
    total = sum(v["count"] for v in facets["status"])
    return SearchResult(items, total, facets, next_cursor)


# A cursor is the last row's sort key and id, so the next page starts right after it even when
# rows are added meanwhile (keyset pagination).
def encode_cursor(key, core_id: str) -> str:
    if isinstance(key, datetime):
        key = key.isoformat()
    raw = json.dumps([key, core_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple:
    """(sort key, core id) of a cursor made for `sort`, or Invalid naming the cursor."""
    try:
        key, core_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if sort == "newest":
            key = datetime.fromisoformat(key)
        elif sort == "relevance":
            key = float(key)
        elif not isinstance(key, str):
            raise ValueError("title key is text")
        return key, str(core_id)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise Invalid("not a cursor of this search (keep the same sort)", field="cursor") from None


def page_of(rows: list, limit: int) -> tuple[list, str | None]:
    """The page of `rows` ((…, id, sort key) each; one more than `limit` was read to know
    whether another page follows) and the cursor of the next page, if any."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1][2], rows[-1][1])


def latin_text(text: str) -> str:
    return taxonomy.without_cjk(text).strip()


def uses_search_syntax(latin: str) -> bool:
    return bool(SEARCH_SYNTAX.search(latin))


def quoted_words(text: str) -> str:
    """Each word quoted (FTS5 syntax), so that query syntax in user input is only ever text."""
    words = re.findall(r"\w+", taxonomy.without_cjk(text)) + taxonomy.cjk_query_terms(text)
    return " ".join('"' + w.replace('"', '""') + '"' for w in words) or '""'
