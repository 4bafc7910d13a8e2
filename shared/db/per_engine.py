"""The one idiom for state a process keeps per database: `PerEngineCache(factory)`.

A cache of rows read from a database (rule sets by version, core terms, a search index) belongs
to that database, not to the process: tests and tools open several engines in one process, and
an entry read from one must never answer for another. Keyed weakly by engine, so that an engine
dropped takes its cache with it.

    rule_tables = PerEngineCache(dict)          # module level, in an adapter module
    tables = rule_tables.of(session.get_bind())  # the one dict of this database
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

import sqlalchemy as sa

T = TypeVar("T")


class PerEngineCache(Generic[T]):
    """One `factory()` per engine, made on first use. `of` is safe from several threads (the
    factory runs once per engine); what the factory makes guards its own contents."""

    def __init__(self, factory: Callable[[], T]):
        self._factory = factory
        self._instances: weakref.WeakKeyDictionary[sa.Engine, T] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def of(self, engine: sa.Engine) -> T:
        instance = self._instances.get(engine)  # the common case, without the lock
        if instance is None:
            with self._lock:
                instance = self._instances.get(engine)
                if instance is None:
                    instance = self._instances[engine] = self._factory()
        return instance

    __call__ = of  # a PerEngineCache reads as the `…_for(engine)` function it replaces

    def forget(self, engine: sa.Engine) -> None:
        """Drop the engine's instance (the next `of` makes a new one)."""
        with self._lock:
            self._instances.pop(engine, None)
