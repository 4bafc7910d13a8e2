"""The pages of browses (a search without text), kept until a core changes (PostgreSQL)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from shared.db.per_engine import PerEngineCache


class BrowsePages:
    """The rows of a browse's page ((seq, id, sort key), one more than asked for), by what was
    asked (the viewer's and the filters' facet groups, sort, cursor, limit), kept while the
    facet index's generation is the one they were read at: a browse walks an index in its
    sort's order in SQL, 2.5× a repeated text search's CPU (bench/catalog.py's mix), and any
    change to any core ends the generation. Bounded, least recently used dropped first."""

    def __init__(self, max_entries: int = 10_000):
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[int, list]] = OrderedDict()
        self._max_entries = max_entries

    def get(self, asked: Hashable, generation: int) -> list | None:
        with self._lock:
            entry = self._entries.get(asked)
            if entry is None or entry[0] != generation:
                return None
            self._entries.move_to_end(asked)
            return entry[1]

    def put(self, asked: Hashable, generation: int, rows: list) -> None:
        with self._lock:
            self._entries[asked] = (generation, rows)
            self._entries.move_to_end(asked)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)


browse_pages_for = PerEngineCache(BrowsePages)
