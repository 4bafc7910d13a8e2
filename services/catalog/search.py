"""Core search: full text over title, description, standards and VLNV, facets with counts,
filters, sorting and cursor pagination.

PostgreSQL matches a generated `tsvector` column through a GIN index; SQLite matches the FTS5
table `core_fts` (both made by migration 0002). Chinese text is indexed as overlapping bigrams
(taxonomy.cjk_document_terms) so that any part of a Chinese title is found without a segmenter.

On PostgreSQL, `total` and the facet counts come from the in-process facet index (bitsets), what
a text matches is kept in order in a MatchCache until a core changes, and each listed core's
summary is kept (SummaryCache) until that core changes, so a repeated search asks the database
only whether anything changed; browses without text walk an index in their sort's order
(migration 0003).
"""
from __future__ import annotations

import base64
import binascii
import itertools
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from services.catalog import taxonomy
from services.catalog.facet_index import SEQ, bitset, facet_index_for, per_engine
from services.catalog.models import Core
from shared.db.session import without_transaction
from shared.directory import Principal
from shared.errors import Invalid

# Facet name → how the core's values are named in `Core.facet_values` ("name:value").
FACETS = ("category", "foundry", "node", "maturity", "standard", "deliverable", "region",
          "price", "status", "vendor")
SORTS = ("relevance", "newest", "title")
SUMMARY = ("id", "vendor_id", "vendor_region", "vlnv_vendor", "vlnv_library", "vlnv_name",
           "vlnv_version", "status", "title_en", "title_zh", "category", "standards",
           "deliverable_kinds", "targets", "price_band", "published_at", "created_at", "updated_at")
MAX_LIMIT = 100
NARROW_MATCH = 5_000  # a browse matching at most this many cores reads them by seq
# A result lists summaries: leave the big JSON columns (offers, file sets…) unread.
SUMMARIES = sa.select(Core).options(sa.orm.load_only(*(getattr(Core, name) for name in SUMMARY)))


def index_core(core: Core) -> None:
    """Refresh the columns search reads: the text to index and the facet values."""
    vlnv = ":".join((core.vlnv_vendor, core.vlnv_library, core.vlnv_name, core.vlnv_version))
    latin = [core.title_en, core.title_en, vlnv,  # the title counts twice: it says most
             f"{core.vlnv_vendor} {core.vlnv_library} {core.vlnv_name} {core.vlnv_version}",
             " ".join(core.standards), core.description_en or "",
             taxonomy.CATEGORIES.get(core.category or "", ""),
             " ".join(t["foundry"] for t in core.targets)]
    chinese = " ".join(filter(None, [core.title_zh, core.description_zh]))
    title = " ".join([core.title_en, core.vlnv_name, " ".join(core.standards)])
    core.search_title = taxonomy.without_cjk(title) + " " + taxonomy.cjk_document_terms(
        f"{title} {core.title_zh or ''}")
    core.search_text = taxonomy.without_cjk(" ".join(latin + [chinese]))
    core.search_cjk = taxonomy.cjk_document_terms(" ".join(latin) + " " + chinese)
    core.price_band = taxonomy.price_band(core.offers)
    values = {f"status:{core.status}", f"region:{core.vendor_region}",
              f"price:{core.price_band}", f"vendor:{core.vendor_id}"}
    if core.category:
        values.add(f"category:{core.category}")
    values.update(f"standard:{s}" for s in core.standards)
    values.update(f"deliverable:{d}" for d in core.deliverable_kinds)
    for target in core.targets:
        values.update({f"foundry:{target['foundry']}", f"node:{target['node']}",
                       f"maturity:{target['maturity']}"})
    core.facet_values = sorted(values)


@dataclass
class SearchQuery:
    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)  # facet → any of these values
    sort: str | None = None  # relevance when there is text, else newest
    cursor: str | None = None
    limit: int = 20


@dataclass
class SearchResult:
    items: list[dict]  # the listed cores, each as `summarise` made it
    total: int
    facets: dict[str, list[dict]]
    next_cursor: str | None


def search_cores(session: Session, principal: Principal | None, query: SearchQuery,
                 summarise: Callable[[Core], dict]) -> SearchResult:
    """`summarise` is how a result lists a core (the API's summary schema); on PostgreSQL what
    it makes is kept per core version, so it must depend on nothing but the core."""
    dialect = _PostgresText() if session.bind.dialect.name == "postgresql" else _SqliteText()
    without_transaction(session)  # it copes with cores changing meanwhile (see the caches)
    has_text = bool(query.text.strip())
    sort = query.sort or ("relevance" if has_text else "newest")
    if sort == "relevance" and not has_text:
        sort = "newest"
    after = _decode_cursor(query.cursor, sort) if query.cursor else None
    if isinstance(dialect, _PostgresText):
        groups = _visible_values(principal) + [[f"{facet}:{v}" for v in values]
                                               for facet, values in query.filters.items() if values]
        if has_text:
            cached = _search_cached_matches(session, query.text, sort, groups, after,
                                            query.limit, summarise)
            if cached is not None:
                return cached
    # What the cache could not answer is asked in SQL.
    conditions = [_visible(principal)]
    for facet, values in query.filters.items():
        if values:
            conditions.append(dialect.has_any_facet([f"{facet}:{v}" for v in values]))
    base, rank = dialect.match(SUMMARIES, query.text) if has_text else (SUMMARIES, None)
    key, descending = _sort_key(sort, rank)
    if isinstance(dialect, _PostgresText):
        if has_text:
            return _search_text_once(session, base.where(*conditions), key, descending, after,
                                     query.limit, summarise)
        return _browse(session, base.where(*conditions), key, descending, after, query.limit,
                       groups, summarise)
    base = base.where(*conditions)
    page = base.add_columns(key.label("sort_key"))
    if after:
        page = page.where(_after(key, Core.id, descending, *after))
    page = page.order_by(*_order(key, Core.id, descending)).limit(query.limit + 1)
    rows = session.execute(page).all()
    cores, next_cursor = _page_of([row.Core for row in rows], [row.sort_key for row in rows],
                                  query.limit)
    return _result([summarise(core) for core in cores], dialect.facet_counts(session, base),
                   next_cursor)


def _browse(session: Session, base, key, descending: bool, after, limit: int, groups,
            summarise) -> SearchResult:
    """A search without text on PostgreSQL: the filters alone say what matches, so the facet
    index counts without a query. A page walks an index in the sort's order; for a narrow
    match the facet index names the matching cores, so that the walk tests each core's seq
    (hashed) instead of reading its facet values."""
    index = facet_index_for(session.get_bind())
    counts = index.counts_where(session, groups)
    narrow = index.seqs_where(groups, at_most=NARROW_MATCH)
    if narrow is None:
        page = base.with_only_columns(SEQ, Core.id, key)
    else:
        # Written into the statement (they are integers): as a parameter, the plan PostgreSQL
        # caches for it would not know how many there are, and sorted the lot instead.
        seqs = sa.literal_column(f"'{{{','.join(map(str, narrow))}}}'::bigint[]")
        page = SUMMARIES.with_only_columns(SEQ, Core.id, key).where(SEQ == sa.any_(seqs))
    if after:
        page = page.where(_after(key, Core.id, descending, *after))
    rows = session.execute(page.order_by(*_order(key, Core.id, descending))
                           .limit(limit + 1)).all()
    return _page_result(session, rows, counts.items(), limit, summarise)


class MatchCache:
    """What a text matches (every core, whatever its status), in the order of a sort: kept from
    one search to the next while no core changes (the facet index's generation), because
    reading a broad match's rows (a heap page each) is most of a search's time. Visibility and
    filters are applied to it with the facet index's bitsets, so one entry serves everyone.
    Bounded by the number of matches it holds in all (~300 bytes each), least recently used
    dropped first."""

    def __init__(self, max_rows: int = 100_000):
        self._lock = threading.Lock()
        self._entries: OrderedDict = OrderedDict()  # (text, sort) → _Matches
        self._rows = 0
        self._max_rows = max_rows

    def get(self, text: str, sort: str, generation: int):
        with self._lock:
            entry = self._entries.get((text, sort))
            if entry is None or entry.generation != generation:
                return None
            self._entries.move_to_end((text, sort))
            return entry

    def put(self, text: str, sort: str, entry) -> None:
        with self._lock:
            old = self._entries.pop((text, sort), None)
            self._rows -= len(old.rows) if old else 0
            if len(entry.rows) > self._max_rows:
                return
            self._entries[(text, sort)] = entry
            self._rows += len(entry.rows)
            while self._rows > self._max_rows:
                _, dropped = self._entries.popitem(last=False)
                self._rows -= len(dropped.rows)


@dataclass
class _Matches:
    generation: int
    rows: list  # (seq, id, sort key) in the search's order, as PostgreSQL sorted them
    bits: int  # the bitset of their seqs
    position: dict  # (sort key, id) → index in rows, to resume after a cursor


match_cache_for = per_engine(MatchCache)


def _search_cached_matches(session: Session, text: str, sort: str, groups, after, limit: int,
                           summarise) -> SearchResult | None:
    """A text search from the match cache; None when it cannot answer (then ask SQL)."""
    index = facet_index_for(session.get_bind())
    cache = match_cache_for(session.get_bind())
    generation = index.refresh(session)
    matches = cache.get(text, sort, generation)
    if matches is None:
        matched, rank = _PostgresText().match(SUMMARIES, text)
        key, descending = _sort_key(sort, rank)
        rows = [tuple(row) for row in session.execute(
            matched.with_only_columns(SEQ, Core.id, key)
            .order_by(*_order(key, Core.id, descending)))]
        if index.refresh(session) != generation or not index.has_all(row[0] for row in rows):
            return None  # cores changed meanwhile: this once, ask SQL
        matches = _Matches(generation, rows, bitset([row[0] for row in rows]),
                           {(row[2], row[1]): i for i, row in enumerate(rows)})
        cache.put(text, sort, matches)
    start = 0
    if after:
        start = matches.position.get(after)
        if start is None:
            return None  # the cursor's core no longer matches: keyset in SQL
        start += 1
    counts = index.counts_where_among(matches.bits, (text, matches.generation), groups)
    page = index.first_where(itertools.islice(matches.rows, start, None), groups, limit + 1)
    return _page_result(session, page, counts.items(), limit, summarise)


def _search_text_once(session: Session, base, key, descending: bool, after, limit: int,
                      summarise) -> SearchResult:
    """A text search on PostgreSQL reads its matches once: one statement returns every match's
    `seq` (for the facet index to count) and the page's. Reading a broad match's rows costs a
    heap page each, so doing it twice (page, then counts) was most of the time of a search."""
    matches = base.with_only_columns(SEQ.label("seq"), Core.id.label("id"),
                                     key.label("sort_key")).cte("matches")
    page = sa.select(matches.c.seq, matches.c.id, matches.c.sort_key)
    if after:
        page = page.where(_after(matches.c.sort_key, matches.c.id, descending, *after))
    page = (page.order_by(*_order(matches.c.sort_key, matches.c.id, descending))
            .limit(limit + 1).subquery("page").lateral())
    every = sa.select(sa.func.array_agg(matches.c.seq).label("seqs")).subquery("every")
    rows = session.execute(
        sa.select(every.c.seqs, page.c.seq, page.c.id, page.c.sort_key)
        .select_from(every.outerjoin(page, sa.true()))).all()  # always one row, maybe no page
    counts = facet_index_for(session.get_bind()).counts_of(session, rows[0].seqs or [])
    if counts is None:
        counts = dict(_count_in_sql(session, base))
    page_rows = [(row.seq, row.id, row.sort_key) for row in rows if row.seq is not None]
    return _page_result(session, page_rows, counts.items(), limit, summarise)


class SummaryCache:
    """Each listed core's summary as `summarise` made it, kept while the core's `updated_at` is
    the one the facet index last read (the index is refreshed first in every search): turning
    a page of rows into objects and JSON was most of what a repeated search cost. Bounded,
    least recently used dropped first."""

    def __init__(self, max_entries: int = 20_000):
        self._lock = threading.Lock()
        self._entries: OrderedDict = OrderedDict()  # core seq → (updated_at, summary)
        self._max_entries = max_entries

    def summaries(self, session: Session, seqs: list[int], summarise) -> list[dict]:
        stamps = facet_index_for(session.get_bind()).stamps_of(seqs)
        found = {}
        with self._lock:
            for seq, stamp in zip(seqs, stamps):
                entry = self._entries.get(seq)
                if entry is not None and entry[0] == stamp:
                    self._entries.move_to_end(seq)
                    found[seq] = entry[1]
        missing = [seq for seq in seqs if seq not in found]
        if missing:
            read = session.execute(SUMMARIES.add_columns(SEQ).where(SEQ.in_(missing))).all()
            with self._lock:
                for core, seq in read:
                    found[seq] = summarise(core)
                    self._entries[seq] = (core.updated_at, found[seq])
                    self._entries.move_to_end(seq)
                while len(self._entries) > self._max_entries:
                    self._entries.popitem(last=False)
        return [found[seq] for seq in seqs]


summary_cache_for = per_engine(SummaryCache)


def _page_result(session: Session, rows, counts, limit: int, summarise) -> SearchResult:
    """The result whose page is `rows` ((seq, id, sort key) in the search's order; one more
    than `limit` was read to know whether another page follows)."""
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = _encode_cursor(rows[-1][2], rows[-1][1])
    items = summary_cache_for(session.get_bind()).summaries(
        session, [row[0] for row in rows], summarise)
    return _result(items, counts, next_cursor)


def _after(key, core_id, descending: bool, value, last_id):
    """Keyset condition: the rows after the cursor's (key, id) in the search's order."""
    beyond = key < value if descending else key > value
    return sa.or_(beyond, sa.and_(key == value, core_id > last_id))


def _order(key, core_id, descending: bool):
    return key.desc() if descending else key.asc(), core_id


def _page_of(cores: list[Core], keys: list, limit: int) -> tuple[list[Core], str | None]:
    """The page (one row more was read to know whether another page follows) and its cursor."""
    if len(cores) <= limit:
        return cores, None
    return cores[:limit], _encode_cursor(keys[limit - 1], cores[limit - 1].id)


def _result(items: list[dict], counts, next_cursor: str | None) -> SearchResult:
    facets = {name: [] for name in FACETS}
    for value, count in counts:
        name, _, facet_value = value.partition(":")
        facets[name].append({"value": facet_value, "count": count})
    for values in facets.values():
        values.sort(key=lambda v: (-v["count"], v["value"]))
    total = sum(v["count"] for v in facets["status"])
    return SearchResult(items, total, facets, next_cursor)


def _visible(principal: Principal | None):
    if principal is not None and principal.is_admin:
        return sa.true()
    if principal is None:
        return Core.status == "published"
    return sa.or_(Core.status == "published", Core.vendor_id == principal.organisation_id)


def _visible_values(principal: Principal | None) -> list[list[str]]:
    """_visible() in facet values, for the facet index."""
    if principal is not None and principal.is_admin:
        return []
    if principal is None:
        return [["status:published"]]
    return [["status:published", f"vendor:{principal.organisation_id}"]]


def _sort_key(sort: str, rank):
    if sort == "relevance":
        return rank, True
    if sort == "title":
        return Core.title_en, False
    return sa.func.coalesce(Core.published_at, Core.created_at), True


# A cursor is the last row's sort key and id, so the next page starts right after it even when
# rows are added meanwhile (keyset pagination).
def _encode_cursor(key, core_id: str) -> str:
    if isinstance(key, datetime):
        key = key.isoformat()
    raw = json.dumps([key, core_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: str):
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
        raise Invalid("not a cursor of this search (keep the same sort)",
                      field="cursor") from None


class _PostgresText:
    def match(self, select, text: str):
        latin = taxonomy.without_cjk(text).strip()
        cjk = " ".join(taxonomy.cjk_query_terms(text))
        parts = []
        if latin:
            # Plain AND of the words unless the user wrote search syntax ("a phrase", OR,
            # -word): phrase matching makes PostgreSQL re-read each candidate's whole vector,
            # and hyphenated words ("CSI-2", "RISC-V") would otherwise become phrases.
            to_query = (sa.func.websearch_to_tsquery if SEARCH_SYNTAX.search(latin)
                        else sa.func.plainto_tsquery)
            parts.append(to_query(sa.literal_column("'english'::regconfig"), latin))
        if cjk:
            parts.append(sa.func.plainto_tsquery(sa.literal_column("'simple'::regconfig"), cjk))
        tsquery = parts[0] if len(parts) == 1 else parts[0].op("&&")(parts[1])
        vector = sa.literal_column("core.search_vector")
        title = sa.literal_column("core.title_vector")
        # ts_rank is a float4; as float8 it round-trips exactly through a cursor.
        return (select.where(vector.op("@@")(tsquery)),
                sa.cast(sa.func.ts_rank(title, tsquery), sa.Double))

    def has_any_facet(self, values: list[str]):
        # `&&` (overlaps) uses the GIN index on facet_array.
        return FACET_ARRAY.op("&&")(sa.literal(values, ARRAY(sa.Text)))


def _count_in_sql(session: Session, base):
    # A match the index has not seen yet: count in SQL this once.
    matches = base.with_only_columns(FACET_ARRAY.label("facets")).subquery()
    value = sa.func.unnest(matches.c.facets).table_valued("value").render_derived()
    return session.execute(sa.select(value.c.value, sa.func.count())
                           .select_from(matches).join(value, sa.true())
                           .group_by(value.c.value)).all()


FACET_ARRAY = sa.literal_column("core.facet_array", ARRAY(sa.Text))
SEARCH_SYNTAX = re.compile(r'"|\bOR\b|(^|\s)-\w')


class _SqliteText:
    def match(self, select, text: str):
        # Each word quoted, so that FTS5 query syntax in user input is only ever text.
        words = re.findall(r"\w+", taxonomy.without_cjk(text)) + taxonomy.cjk_query_terms(text)
        expression = " ".join('"' + w.replace('"', '""') + '"' for w in words) or '""'
        fts = sa.table("core_fts", sa.column("rowid"), sa.column("rank"))
        select = (select.join(fts, fts.c.rowid == sa.literal_column("core.rowid"))
                  .where(sa.literal_column("core_fts").op("MATCH")(expression)))
        # FTS5's rank is bm25, lower is better: negate it so that higher is better everywhere.
        return select, (-fts.c.rank).label(None)

    def has_any_facet(self, values: list[str]):
        each = sa.func.json_each(Core.facet_values).table_valued("value")
        return sa.exists(sa.select(1).select_from(each).where(each.c.value.in_(values)))

    def facet_counts(self, session: Session, base):
        matches = base.with_only_columns(Core.facet_values).subquery()
        value = sa.func.json_each(matches.c.facet_values).table_valued("value")
        return session.execute(sa.select(value.c.value, sa.func.count())
                               .select_from(matches).join(value, sa.true())
                               .group_by(value.c.value)).all()
