"""Core search on SQLite (`make run`): the FTS5 table `core_fts` (migration 0002) matches text,
facets are counted in SQL from each core's JSON facet values."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.catalog.domain.access import Viewer
from services.catalog.domain.search_query import (
    SearchQuery,
    SearchResult,
    page_of,
    quoted_words,
    result_of,
)
from services.catalog.models import Core
from services.catalog.search.statements import (
    SUMMARIES,
    after,
    order,
    sort_key,
    visible_condition,
)


class SqliteSearch:
    def search(
        self,
        session: Session,
        viewer: Viewer | None,
        query: SearchQuery,
        sort: str,
        cursor_after,
        summarise: Callable[[Core], dict],
    ) -> SearchResult:
        conditions = [visible_condition(viewer)]
        conditions.extend(self.has_any_facet(group) for group in query.filter_groups())
        base, rank = self.match(SUMMARIES, query.text) if query.has_text else (SUMMARIES, None)
        key, descending = sort_key(sort, rank)
        base = base.where(*conditions)
        page = base.add_columns(key.label("sort_key"))
        if cursor_after:
            page = page.where(after(key, Core.id, descending, *cursor_after))
        page = page.order_by(*order(key, Core.id, descending)).limit(query.limit + 1)
        rows = [(row.Core, row.Core.id, row.sort_key) for row in session.execute(page)]
        rows, next_cursor = page_of(rows, query.limit)
        return result_of(
            [summarise(row[0]) for row in rows], self.facet_counts(session, base), next_cursor
        )

    def match(self, select, text: str):
        fts = sa.table("core_fts", sa.column("rowid"), sa.column("rank"))
        select = select.join(fts, fts.c.rowid == sa.literal_column("core.rowid")).where(
            sa.literal_column("core_fts").op("MATCH")(quoted_words(text))
        )
        # FTS5's rank is bm25, lower is better: negate it so that higher is better everywhere.
        return select, (-fts.c.rank).label(None)

    def has_any_facet(self, values: list[str]):
        each = sa.func.json_each(Core.facet_values).table_valued("value")
        return sa.exists(sa.select(1).select_from(each).where(each.c.value.in_(values)))

    def facet_counts(self, session: Session, base):
        matches = base.with_only_columns(Core.facet_values).subquery()
        value = sa.func.json_each(matches.c.facet_values).table_valued("value")
        return session.execute(
            sa.select(value.c.value, sa.func.count())
            .select_from(matches)
            .join(value, sa.true())
            .group_by(value.c.value)
        ).all()
