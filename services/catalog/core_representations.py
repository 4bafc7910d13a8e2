"""Cores as the API shows them, kept by the state they show (records.CoreStamp).

Reading a core whole (its IP-XACT ports, memory maps, offers… as JSON columns) into an object
and dumping it through CoreSchema was most of the catalog's CPU for GET /v1/cores/<id> and its
versions (bench/portal.py). A read now asks the database for stamps alone: an equal stamp is an
unchanged core, so its representation made before is the one to send. What is made is kept
under the stamp of the row it was made from, never under the stamp read before it, so a core
that changed between the two reads is kept as what it now is. Bounded, least recently used
first out; one per database (shared/db/per_engine.py), whatever its dialect.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from services.catalog.records import CoreStamp
from shared.db.per_engine import PerEngineCache

CAPACITY = 50_000  # representations: a whole core's JSON is a few KB, a summary ~1 KB


class CoreRepresentations:
    def __init__(self, capacity: int = CAPACITY):
        self._capacity = capacity
        self._entries: OrderedDict[tuple[Hashable, CoreStamp], Any] = OrderedDict()
        self._lock = threading.Lock()

    def kept(self, kind: Hashable, stamps: list[CoreStamp]) -> dict[CoreStamp, Any]:
        """The `kind` representations kept of the cores in the states `stamps` name."""
        found = {}
        with self._lock:
            for stamp in stamps:
                entry = self._entries.get((kind, stamp))
                if entry is not None:
                    self._entries.move_to_end((kind, stamp))
                    found[stamp] = entry
        return found

    def keep(self, kind: Hashable, made: dict[CoreStamp, Any]) -> None:
        with self._lock:
            for stamp, representation in made.items():
                self._entries[(kind, stamp)] = representation
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)

    def of(
        self,
        kind: Hashable,
        stamps: list[CoreStamp],
        make: Callable[[list[str]], dict[CoreStamp, Any]],
    ) -> list[Any]:
        """The `kind` representation of each core of `stamps`, in their order: those not kept
        are made by `make(ids)`, which reads the cores and answers {their stamp now: …}.
        A core that changed meanwhile is shown as it now is."""
        found = self.kept(kind, stamps)
        missing = [stamp for stamp in stamps if stamp not in found]
        if missing:
            made = make([stamp.id for stamp in missing])
            self.keep(kind, made)
            now = {stamp.id: representation for stamp, representation in made.items()}
            for stamp in missing:
                if stamp.id in now:
                    found[stamp] = now[stamp.id]
        # A core deleted between the two reads (a draft) is left out.
        return [found[stamp] for stamp in stamps if stamp in found]


core_representations_for = PerEngineCache(CoreRepresentations)
