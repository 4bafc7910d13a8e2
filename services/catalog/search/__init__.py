"""Core search: full text over title, description, standards and VLNV, facets with counts,
filters, sorting and cursor pagination.

domain/search_query.py parses and pages a search; domain/search_terms.py says what a core is
found by. Here: indexing.py (write side), and one backend per database, chosen once per engine:
postgres_backend.py (a generated `tsvector` through a GIN index, with the in-process
facet_bitset_index.py, match_cache.py and summary_cache.py) and sqlite_backend.py (FTS5).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from services.catalog.domain.access import Viewer
from services.catalog.domain.search_query import (
    FACETS,
    MAX_LIMIT,
    SORTS,
    SearchQuery,
    SearchResult,
    decode_cursor,
)
from services.catalog.models import Core
from services.catalog.search.indexing import index_core
from services.catalog.search.postgres_backend import PostgresSearch
from services.catalog.search.sqlite_backend import SqliteSearch
from shared.db.session import without_transaction

__all__ = [
    "FACETS",
    "MAX_LIMIT",
    "SORTS",
    "SearchQuery",
    "SearchResult",
    "index_core",
    "search_cores",
]

BACKENDS = {"postgresql": PostgresSearch(), "sqlite": SqliteSearch()}  # stateless: one each


def backend_for(engine):
    """The search backend of the engine's database (its caches are kept per engine inside)."""
    return BACKENDS[engine.dialect.name]


def search_cores(
    session: Session, viewer: Viewer | None, query: SearchQuery, summarise: Callable[[Core], dict]
) -> SearchResult:
    """`summarise` is how a result lists a core (the API's summary schema); on PostgreSQL what
    it makes is kept per core version, so it must depend on nothing but the core."""
    without_transaction(session)  # it copes with cores changing meanwhile (see the caches)
    sort = query.resolved_sort()
    cursor_after = decode_cursor(query.cursor, sort) if query.cursor else None
    return backend_for(session.get_bind()).search(
        session, viewer, query, sort, cursor_after, summarise
    )
