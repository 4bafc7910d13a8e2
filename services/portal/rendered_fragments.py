"""Parts of pages kept as rendered, by what they were rendered from.

A search page's results (its facets and twenty cards: some six hundred escaped values) are a
pure function of the page's language, the search asked and the catalog's answer, and rendering
them was a third of the portal's CPU per search page (bench/portal.py). Asked again and
answered alike (the catalog keeps its answers to repeated searches too), they come from here.
The key holds the answer's bytes, so an answer that differs in one byte is another entry and
nothing kept is ever stale. Bounded, least recently used first out, one per process.

The caller's key must name everything the fragment shows, and a fragment must show nothing of
the person asking (no CSRF token, no name): those belong to the page around it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from markupsafe import Markup


class RenderedFragments:
    def __init__(self, capacity: int):
        self._capacity = capacity
        self._entries: OrderedDict[Hashable, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, render: Callable[[], str]) -> Markup:
        """The fragment kept for `key`, else `render()`'s, kept."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        found = Markup(render())
        with self._lock:
            self._entries[key] = found
            if len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
        return found
