"""One idiom for what a process keeps per database engine (search indexes and caches): the
thing is built on first use and dropped with its engine."""
from __future__ import annotations

import threading
import weakref

import sqlalchemy as sa


def per_engine(factory):
    """`get(engine)` → the one `factory(engine)` this process keeps for that database engine."""
    instances: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
    lock = threading.Lock()

    def get(engine: sa.Engine):
        with lock:
            instance = instances.get(engine)
            if instance is None:
                instance = instances[engine] = factory(engine)
            return instance

    return get
