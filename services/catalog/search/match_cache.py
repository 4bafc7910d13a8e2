"""What a text matches, kept in order between searches (PostgreSQL)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from shared.db.per_engine import PerEngineCache


@dataclass
class Matches:
    generation: int
    rows: list  # (seq, id, sort key) in the search's order, as PostgreSQL sorted them
    bits: int  # the bitset of their seqs
    position: dict  # (sort key, id) → index in rows, to resume after a cursor


class MatchCache:
    """What a text matches (every core, whatever its status), in the order of a sort: kept from
    one search to the next while no core changes (the facet index's generation), because
    reading a broad match's rows (a heap page each) is most of a search's time. Visibility and
    filters are applied to it with the facet index's bitsets, so one entry serves everyone.
    Bounded by the number of matches it holds in all (~300 bytes each), least recently used
    dropped first."""

    def __init__(self, max_rows: int = 100_000):
        self._lock = threading.Lock()
        self._entries: OrderedDict = OrderedDict()  # (text, sort) → Matches
        self._rows = 0
        self._max_rows = max_rows

    def get(self, text: str, sort: str, generation: int) -> Matches | None:
        with self._lock:
            entry = self._entries.get((text, sort))
            if entry is None or entry.generation != generation:
                return None
            self._entries.move_to_end((text, sort))
            return entry

    def put(self, text: str, sort: str, entry: Matches) -> None:
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


match_cache_for = PerEngineCache(MatchCache)
