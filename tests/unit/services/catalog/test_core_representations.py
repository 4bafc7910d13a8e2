"""The kept representations of cores: made once per state of a core, made again when its stamp
changes, kept under the stamp of what they were made from, bounded."""

from __future__ import annotations

from datetime import UTC, datetime

from services.catalog.core_representations import CoreRepresentations
from services.catalog.records import CoreStamp

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def stamp(core_id: str, version: int = 1, updated_at: datetime = T0) -> CoreStamp:
    return CoreStamp(core_id, "vendor_1", "published", "1.0", version, updated_at)


class Cores:
    """What `make` reads: each core as it now is, counting the reads."""

    def __init__(self, *stamps: CoreStamp):
        self.now = {s.id: s for s in stamps}
        self.reads: list[list[str]] = []

    def make(self, ids: list[str]) -> dict:
        self.reads.append(ids)
        return {self.now[i]: f"{i} v{self.now[i].version}" for i in ids if i in self.now}


def test_a_representation_is_made_once_per_state_of_the_core():
    cores, kept = Cores(stamp("a"), stamp("b")), CoreRepresentations()
    assert kept.of("core", [stamp("a"), stamp("b")], cores.make) == ["a v1", "b v1"]
    assert kept.of("core", [stamp("b"), stamp("a")], cores.make) == ["b v1", "a v1"]
    assert cores.reads == [["a", "b"]]
    assert kept.of("summary", [stamp("a")], cores.make) == ["a v1"]  # another kind: its own
    assert cores.reads == [["a", "b"], ["a"]]


def test_a_changed_stamp_is_made_again_whichever_part_changed():
    cores, kept = Cores(stamp("a")), CoreRepresentations()
    kept.of("core", [stamp("a")], cores.make)
    cores.now["a"] = stamp("a", version=2)
    assert kept.of("core", [stamp("a", version=2)], cores.make) == ["a v2"]
    touched = stamp("a", version=2, updated_at=T0.replace(minute=5))  # an UPDATE without ORM
    cores.now["a"] = touched
    kept.of("core", [touched], cores.make)
    assert cores.reads == [["a"], ["a"], ["a"]]


def test_a_core_that_changed_between_the_reads_is_shown_and_kept_as_it_now_is():
    cores, kept = Cores(stamp("a", version=3)), CoreRepresentations()
    assert kept.of("core", [stamp("a", version=2)], cores.make) == ["a v3"]
    assert kept.of("core", [stamp("a", version=3)], cores.make) == ["a v3"]
    assert cores.reads == [["a"]]  # kept under v3's stamp, never under v2's
    assert kept.kept("core", [stamp("a", version=2)]) == {}


def test_a_core_gone_between_the_reads_is_left_out():
    cores, kept = Cores(stamp("a")), CoreRepresentations()
    assert kept.of("core", [stamp("a"), stamp("gone")], cores.make) == ["a v1"]


def test_the_least_recently_used_go_first():
    cores, kept = Cores(stamp("a"), stamp("b"), stamp("c")), CoreRepresentations(capacity=2)
    kept.of("core", [stamp("a"), stamp("b")], cores.make)
    kept.of("core", [stamp("a")], cores.make)  # a used again: b is now the oldest
    kept.of("core", [stamp("c")], cores.make)
    assert set(kept.kept("core", [stamp("a"), stamp("b"), stamp("c")])) == {stamp("a"), stamp("c")}
