"""Core search on PostgreSQL: a generated `tsvector` column matched through a GIN index
(migration 0002). `total` and the facet counts come from the in-process facet index (bitsets);
what a text matches is kept in order in the match cache until a core changes, and each listed
core's summary in the summary cache, so a repeated search asks the database only whether
anything changed; browses without text walk an index in their sort's order (migration 0003)."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from services.catalog.domain import taxonomy
from services.catalog.domain.access import Viewer
from services.catalog.domain.search_query import (
    SearchQuery,
    SearchResult,
    latin_text,
    page_of,
    result_of,
    uses_search_syntax,
    visible_groups,
)
from services.catalog.models import Core
from services.catalog.search.browse_pages import browse_pages_for
from services.catalog.search.facet_bitset_index import SEQ, bitset, facet_index_for, groups_key
from services.catalog.search.match_cache import Matches, match_cache_for
from services.catalog.search.statements import (
    FACET_ARRAY,
    SUMMARIES,
    after,
    order,
    sort_key,
    visible_condition,
)
from services.catalog.search.summary_cache import summary_cache_for

NARROW_MATCH = 5_000  # a browse matching at most this many cores reads them by seq


class PostgresSearch:
    def search(
        self,
        session: Session,
        viewer: Viewer | None,
        query: SearchQuery,
        sort: str,
        cursor_after,
        summarise: Callable[[Core], dict],
    ) -> SearchResult:
        groups = visible_groups(viewer) + query.filter_groups()
        if query.has_text:
            cached = self._search_cached_matches(
                session, query.text, sort, groups, cursor_after, query.limit, summarise
            )
            if cached is not None:
                return cached
            # What the cache could not answer is asked in SQL.
            base, rank = self.match(SUMMARIES, query.text)
            key, descending = sort_key(sort, rank)
            return self._search_text_once(
                session,
                base.where(*self.conditions(viewer, query)),
                key,
                descending,
                cursor_after,
                query.limit,
                summarise,
            )
        return self._browse(session, viewer, query, sort, cursor_after, groups, summarise)

    def conditions(self, viewer: Viewer | None, query: SearchQuery) -> list:
        """Who sees what, and the filters, in SQL."""
        conditions = [visible_condition(viewer)]
        conditions.extend(self.has_any_facet(group) for group in query.filter_groups())
        return conditions

    def match(self, select, text: str):
        latin = latin_text(text)
        cjk = " ".join(taxonomy.cjk_query_terms(text))
        parts = []
        if latin:
            # Plain AND of the words unless the user wrote search syntax ("a phrase", OR,
            # -word): phrase matching makes PostgreSQL re-read each candidate's whole vector,
            # and hyphenated words ("CSI-2", "RISC-V") would otherwise become phrases.
            to_query = (
                sa.func.websearch_to_tsquery
                if uses_search_syntax(latin)
                else sa.func.plainto_tsquery
            )
            parts.append(to_query(sa.literal_column("'english'::regconfig"), latin))
        if cjk:
            parts.append(sa.func.plainto_tsquery(sa.literal_column("'simple'::regconfig"), cjk))
        tsquery = parts[0] if len(parts) == 1 else parts[0].op("&&")(parts[1])
        vector = sa.literal_column("core.search_vector")
        title = sa.literal_column("core.title_vector")
        # ts_rank is a float4; as float8 it round-trips exactly through a cursor.
        return (
            select.where(vector.op("@@")(tsquery)),
            sa.cast(sa.func.ts_rank(title, tsquery), sa.Double),
        )

    def has_any_facet(self, values: list[str]):
        # `&&` (overlaps) uses the GIN index on facet_array.
        return FACET_ARRAY.op("&&")(sa.literal(values, ARRAY(sa.Text)))

    def _browse(
        self,
        session: Session,
        viewer: Viewer | None,
        query: SearchQuery,
        sort: str,
        cursor_after,
        groups,
        summarise,
    ) -> SearchResult:
        """A search without text: the filters alone say what matches, so the facet index
        counts without a query, and a page read in SQL is kept until a core changes
        (browse_pages.py)."""
        index = facet_index_for(session.get_bind())
        counts = index.counts_where(session, groups)  # the index is refreshed first
        generation = index.generation
        pages = browse_pages_for.of(session.get_bind())
        asked = (groups_key(groups), sort, cursor_after, query.limit)
        rows = pages.get(asked, generation)
        if rows is None:
            key, descending = sort_key(sort, None)
            base = SUMMARIES.where(*self.conditions(viewer, query))
            rows = self._browse_in_sql(
                session, base, key, descending, cursor_after, query.limit, groups
            )
            if index.refresh(session) == generation:  # else cores changed meanwhile: not kept
                pages.put(asked, generation, rows)
        return _page_result(session, rows, counts.items(), query.limit, summarise)

    def _browse_in_sql(
        self, session: Session, base, key, descending: bool, cursor_after, limit: int, groups
    ) -> list:
        """A page walks an index in the sort's order; for a narrow match the facet index
        names the matching cores, so that the walk tests each core's seq (hashed) instead of
        reading its facet values."""
        index = facet_index_for(session.get_bind())
        narrow = index.seqs_where(groups, at_most=NARROW_MATCH)
        if narrow is None:
            page = base.with_only_columns(SEQ, Core.id, key)
        else:
            # Written into the statement (they are integers): as a parameter, the plan
            # PostgreSQL caches for it would not know how many there are, and sorted the lot.
            seqs = sa.literal_column(f"'{{{','.join(map(str, narrow))}}}'::bigint[]")
            page = SUMMARIES.with_only_columns(SEQ, Core.id, key).where(SEQ == sa.any_(seqs))
        if cursor_after:
            page = page.where(after(key, Core.id, descending, *cursor_after))
        return [
            tuple(row)
            for row in session.execute(
                page.order_by(*order(key, Core.id, descending)).limit(limit + 1)
            )
        ]

    def _search_cached_matches(
        self, session: Session, text: str, sort: str, groups, cursor_after, limit: int, summarise
    ) -> SearchResult | None:
        """A text search from the match cache; None when it cannot answer (then ask SQL)."""
        index = facet_index_for(session.get_bind())
        cache = match_cache_for(session.get_bind())
        generation = index.refresh(session)
        matches = cache.get(text, sort, generation)
        if matches is None:
            matched, rank = self.match(SUMMARIES, text)
            key, descending = sort_key(sort, rank)
            rows = [
                tuple(row)
                for row in session.execute(
                    matched.with_only_columns(SEQ, Core.id, key).order_by(
                        *order(key, Core.id, descending)
                    )
                )
            ]
            if index.refresh(session) != generation or not index.has_all(row[0] for row in rows):
                return None  # cores changed meanwhile: this once, ask SQL
            matches = Matches(
                generation,
                rows,
                bitset([row[0] for row in rows]),
                {(row[2], row[1]): i for i, row in enumerate(rows)},
            )
            cache.put(text, sort, matches)
        start = 0
        if cursor_after:
            start = matches.position.get(cursor_after)
            if start is None:
                return None  # the cursor's core no longer matches: keyset in SQL
            start += 1
        counts = index.counts_within_matches(matches.bits, (text, matches.generation), groups)
        page = index.first_where(itertools.islice(matches.rows, start, None), groups, limit + 1)
        return _page_result(session, page, counts.items(), limit, summarise)

    def _search_text_once(
        self, session: Session, base, key, descending: bool, cursor_after, limit: int, summarise
    ) -> SearchResult:
        """A text search reads its matches once: one statement returns every match's `seq`
        (for the facet index to count) and the page's. Reading a broad match's rows costs a
        heap page each, so doing it twice (page, then counts) was most of a search's time."""
        matches = base.with_only_columns(
            SEQ.label("seq"), Core.id.label("id"), key.label("sort_key")
        ).cte("matches")
        page = sa.select(matches.c.seq, matches.c.id, matches.c.sort_key)
        if cursor_after:
            page = page.where(after(matches.c.sort_key, matches.c.id, descending, *cursor_after))
        page = (
            page.order_by(*order(matches.c.sort_key, matches.c.id, descending))
            .limit(limit + 1)
            .subquery("page")
            .lateral()
        )
        every = sa.select(sa.func.array_agg(matches.c.seq).label("seqs")).subquery("every")
        rows = session.execute(
            sa.select(every.c.seqs, page.c.seq, page.c.id, page.c.sort_key).select_from(
                every.outerjoin(page, sa.true())
            )
        ).all()  # one row, maybe no page
        counts = facet_index_for(session.get_bind()).counts_of(session, rows[0].seqs or [])
        if counts is None:
            counts = dict(_count_in_sql(session, base))
        page_rows = [(row.seq, row.id, row.sort_key) for row in rows if row.seq is not None]
        return _page_result(session, page_rows, counts.items(), limit, summarise)


def _page_result(session: Session, rows, counts, limit: int, summarise) -> SearchResult:
    """The result whose page is `rows` ((seq, id, sort key) in the search's order)."""
    rows, next_cursor = page_of(rows, limit)
    items = summary_cache_for(session.get_bind()).summaries(
        session, [row[0] for row in rows], summarise
    )
    return result_of(items, counts, next_cursor)


def _count_in_sql(session: Session, base):
    # A match the index has not seen yet: count in SQL this once.
    matches = base.with_only_columns(FACET_ARRAY.label("facets")).subquery()
    value = sa.func.unnest(matches.c.facets).table_valued("value").render_derived()
    return session.execute(
        sa.select(value.c.value, sa.func.count())
        .select_from(matches)
        .join(value, sa.true())
        .group_by(value.c.value)
    ).all()
