"""Facet counts in microseconds: an in-process inverted index from each facet value to the bitset
of cores that have it (a Python int, one bit per core `seq`).

Counting facets in SQL unnests every matching core's values, tens of milliseconds for a search
that matches thousands of cores. Here the database only answers *which* cores match (their
`seq`), and each facet's count is `popcount(matches & cores_with_value)`.

The index is kept fresh from `core.updated_at` before each use, re-reading 30 seconds back
so that a transaction that commits a little after it stamped its rows is not missed. If a match
is not in the index yet, the caller falls back to counting in SQL, so counts are never wrong.
Used on PostgreSQL (migration 0002 gives `core.seq`); SQLite counts in SQL.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.catalog.models import Core
from shared.db.per_engine import PerEngineCache

SEQ = sa.literal_column("core.seq", sa.BigInteger)
LOOKBACK = timedelta(seconds=30)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Built once, of the table's columns: a refresh runs before every search, and building its
# statement (and running it through the ORM's layers) cost three times what PostgreSQL did.
_CORE = Core.__table__.c
EVERY_CORE = sa.select(SEQ, _CORE.facet_values, _CORE.updated_at)
CHANGED_SINCE = EVERY_CORE.where(_CORE.updated_at > sa.bindparam("since"))


class FacetIndex:
    def __init__(self):
        self._lock = threading.Lock()
        self._bits: dict[str, int] = {}  # facet value → bitset of core seqs
        self._values_of: dict[int, tuple[str, ...]] = {}  # core seq → its facet values
        self._watermark = None  # newest updated_at seen
        self._stamp_of: dict[int, datetime] = {}  # core seq → its updated_at when last read
        # Bumped whenever a core changed (in any way, not only its facets): what is cached
        # from an older generation (search.MatchCache) may be stale.
        self.generation = 0
        # Counts already made in this generation, by what was counted: counting costs a
        # bitset AND and popcount per facet value, the largest part of a search's CPU, and the
        # same searches come again and again (Elasticsearch's request cache keeps aggregations
        # until the next refresh likewise).
        self._counted: dict[tuple, dict[str, int]] = {}
        self._counted_generation = 0

    def counts_of(self, session: Session, seqs: list[int]) -> dict[str, int] | None:
        """Facet value → number of the cores `seqs` (just read from the database) that have it;
        None if one of them is not indexed yet."""
        with self._lock:
            self._refresh(session)  # after reading the matches: at least as fresh as they are
        mask = bitset(seqs)
        with self._lock:
            if any(seq not in self._values_of for seq in seqs):
                return None
            return self._counts_in(mask)

    def counts_where(self, session: Session, groups: list[list[str]]) -> dict[str, int]:
        """Facet counts of the cores that have, in every group, at least one of its values:
        a search without text needs no query beyond the refresh."""
        with self._lock:
            self._refresh(session)
            return self._counts_once(
                ("where", self.generation, groups_key(groups)), lambda: self._mask_where(groups)
            )

    def refresh(self, session: Session) -> int:
        """Catch up with the database; the generation the index is now at."""
        with self._lock:
            self._refresh(session)
            return self.generation

    def seqs_where(self, groups: list[list[str]], at_most: int) -> list[int] | None:
        """The seqs of the cores that have, in every group, one of its values; None if there
        are more than `at_most`."""
        with self._lock:
            mask = self._mask_where(groups)
        if mask.bit_count() > at_most:
            return None
        bits = bin(mask)[:1:-1]  # bit i at index i: str.find is the fast way to the set bits
        seqs, found = [], bits.find("1")
        while found != -1:
            seqs.append(found)
            found = bits.find("1", found + 1)
        return seqs

    def counts_within_matches(
        self, matches: int, matches_key: tuple, groups: list[list[str]]
    ) -> dict[str, int]:
        """Facet counts of the cores of the bitset `matches` that have, in every group, one of
        its values. `matches_key` names the bitset for as long as it is what it is (its search
        text and generation)."""
        with self._lock:
            return self._counts_once(
                ("among", matches_key, groups_key(groups)),
                lambda: self._mask_where(groups, matches),
            )

    def _counts_once(self, key: tuple, mask) -> dict[str, int]:
        if self._counted_generation != self.generation or len(self._counted) >= MAX_COUNTED:
            self._counted, self._counted_generation = {}, self.generation
        counts = self._counted.get(key)
        if counts is None:
            counts = self._counted[key] = self._counts_in(mask())
        return counts

    def first_where(self, rows, groups: list[list[str]], count: int) -> list:
        """The first `count` rows (their seq first) whose core has, in every group, one of its
        values: testing a few cores' values is cheaper than one bit of a large bitset."""
        groups = [set(group) for group in groups]
        found = []
        with self._lock:
            for row in rows:
                values = self._values_of.get(row[0], ())
                if all(not group.isdisjoint(values) for group in groups):
                    found.append(row)
                    if len(found) == count:
                        break
        return found

    def _mask_where(self, groups: list[list[str]], mask: int = -1) -> int:
        """The bitset of the cores (of `mask`) that have, in every group, one of its values."""
        for group in groups:
            any_of = 0
            for value in group:
                any_of |= self._bits.get(value, 0)
            mask &= any_of
        return mask

    def _counts_in(self, mask: int) -> dict[str, int]:
        counts = {value: (mask & bits).bit_count() for value, bits in self._bits.items()}
        return {value: count for value, count in counts.items() if count}

    def stamps_of(self, seqs: list[int]) -> list[datetime | None]:
        """The `updated_at` of each core as last read (what a cached copy must match)."""
        with self._lock:
            return [self._stamp_of.get(seq) for seq in seqs]

    def has_all(self, seqs) -> bool:
        with self._lock:
            return all(seq in self._values_of for seq in seqs)

    def warm(self, session: Session) -> None:
        """Load the index now (a server does it at start rather than on its first search)."""
        with self._lock:
            self._refresh(session)

    def _refresh(self, session: Session) -> None:
        if self._watermark is None:
            self._load_all(session.execute(EVERY_CORE).all())
            return
        for seq, values, updated_at in session.execute(
            CHANGED_SINCE, {"since": self._watermark - LOOKBACK}
        ):
            self._set(seq, tuple(values))
            if self._stamp_of.get(seq) != updated_at:
                self._stamp_of[seq] = updated_at
                self.generation += 1
            self._watermark = max(self._watermark, updated_at)

    def _load_all(self, rows) -> None:
        # Built with bytearrays: OR-ing into growing ints would copy each one per core.
        size = max((seq for seq, _, _ in rows), default=0) // 8 + 1
        arrays: dict[str, bytearray] = {}
        canonical: dict[str, str] = {}  # one string object per value, shared by every core
        for seq, values, updated_at in rows:
            values = tuple(canonical.setdefault(v, v) for v in values)
            self._values_of[seq] = values
            self._stamp_of[seq] = updated_at
            for value in values:
                array = arrays.get(value)
                if array is None:
                    array = arrays[value] = bytearray(size)
                array[seq >> 3] |= 1 << (seq & 7)
            if self._watermark is None or updated_at > self._watermark:
                self._watermark = updated_at
        self._bits = {value: int.from_bytes(array, "little") for value, array in arrays.items()}
        if self._watermark is None:  # an empty catalog: everything from now on is new
            self._watermark = EPOCH

    def _set(self, seq: int, values: tuple[str, ...]) -> None:
        old = self._values_of.get(seq, ())
        if old == values:
            return
        bit = 1 << seq
        for value in set(old) - set(values):
            self._bits[value] &= ~bit
        for value in set(values) - set(old):
            self._bits[value] = self._bits.get(value, 0) | bit
        self._values_of[seq] = values


MAX_COUNTED = 10_000  # sets of counts kept (a few KB each); all dropped when full


def groups_key(groups: list[list[str]]) -> tuple:
    """The same tuple for the same groups in any order."""
    return tuple(sorted(tuple(sorted(group)) for group in groups))


def bitset(seqs) -> int:
    if not seqs:
        return 0
    array = bytearray(max(seqs) // 8 + 1)
    for seq in seqs:
        array[seq >> 3] |= 1 << (seq & 7)
    return int.from_bytes(array, "little")


facet_index_for = PerEngineCache(FacetIndex)
