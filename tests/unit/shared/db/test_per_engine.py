"""PerEngineCache: one instance per database engine, never shared between engines, made once
even when threads race for it, and gone with its engine."""

from __future__ import annotations

import gc
import threading

from shared.db.engine import create_engine
from shared.db.per_engine import PerEngineCache


def test_each_engine_has_its_own_instance_made_once():
    made = []
    cache = PerEngineCache(lambda: made.append(1) or {})
    first, second = create_engine("sqlite://"), create_engine("sqlite://")
    assert cache.of(first) is cache.of(first) is cache(first)
    assert cache.of(first) is not cache.of(second)
    assert len(made) == 2
    cache.of(first)["rule set 1"] = "read from the first database"
    assert "rule set 1" not in cache.of(second)
    cache.forget(first)
    assert cache.of(first) == {}


def test_threads_racing_for_an_engine_get_the_same_instance():
    cache = PerEngineCache(object)
    engine = create_engine("sqlite://")
    start, seen = threading.Barrier(8), []

    def get():
        start.wait()
        seen.append(cache.of(engine))

    threads = [threading.Thread(target=get) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(instance) for instance in seen}) == 1


def test_an_engine_dropped_takes_its_instance_with_it():
    cache = PerEngineCache(dict)
    engine = create_engine("sqlite://")
    cache.of(engine)
    engine.dispose()
    del engine
    gc.collect()
    assert len(cache._instances) == 0
