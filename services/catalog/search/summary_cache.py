"""Each listed core's summary, kept until the core changes (PostgreSQL)."""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy.orm import Session

from services.catalog.search.facet_bitset_index import SEQ, facet_index_for
from services.catalog.search.statements import SUMMARIES
from shared.db.per_engine import PerEngineCache


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


summary_cache_for = PerEngineCache(SummaryCache)
