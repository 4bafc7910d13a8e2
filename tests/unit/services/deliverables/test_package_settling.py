"""The rule for a package file recorded before it reached the disk: served as recorded once
synced or while the machine has not restarted; after a restart read back first, kept if whole,
prepared again if short, changed or gone (a fake store: the rule, not the disk)."""

from __future__ import annotations

import hashlib

import pytest

from services.deliverables.domain.packages import may_serve
from services.deliverables.package_settling import Settling, WrittenFile, settle
from services.deliverables.storage import ObjectMissing

CIPHERTEXT = b"age-encryption.org/v1\n" + bytes(range(256)) * 300
THIS_BOOT, EARLIER_BOOT = "boot-2", "boot-1"


class FakeStore:
    def __init__(self, objects: dict[str, bytes]):
        self.objects = objects
        self.synced: list[str] = []

    def get(self, key, start=0, end=None):
        if key not in self.objects:
            raise ObjectMissing(key)
        data = self.objects[key][start:end]
        return iter([data[i : i + 1000] for i in range(0, len(data), 1000)])

    def sync(self, key):
        if key not in self.objects:
            raise ObjectMissing(key)
        self.synced.append(key)


def written(boot: str | None) -> WrittenFile:
    return WrittenFile("file-1", "license-1", "attempt-1", "packages/l/f/a.age",
                       len(CIPHERTEXT), hashlib.sha256(CIPHERTEXT).hexdigest(), boot)  # fmt: skip


def test_a_synced_file_or_one_written_since_this_boot_is_served_as_recorded():
    assert may_serve(True, EARLIER_BOOT, THIS_BOOT)
    assert may_serve(True, None, THIS_BOOT)  # (stored before boots were recorded: fsynced)
    assert may_serve(False, THIS_BOOT, THIS_BOOT)
    assert not may_serve(False, EARLIER_BOOT, THIS_BOOT)
    assert not may_serve(False, None, THIS_BOOT)


def test_a_file_written_since_this_boot_is_synced_without_being_read_back():
    store = FakeStore({})
    store.objects["packages/l/f/a.age"] = b"not what was recorded, and never read"
    assert settle(store, written(THIS_BOOT), THIS_BOOT) is Settling.SYNCED
    assert store.synced == ["packages/l/f/a.age"]


def test_a_file_from_before_a_restart_read_back_whole_is_kept_and_synced():
    store = FakeStore({"packages/l/f/a.age": CIPHERTEXT})
    assert settle(store, written(EARLIER_BOOT), THIS_BOOT) is Settling.KEPT
    assert store.synced == ["packages/l/f/a.age"]


@pytest.mark.parametrize(
    "left",
    [CIPHERTEXT[:4096], CIPHERTEXT[:-1] + b"\0", b"", None],
    ids=["truncated", "a byte changed", "empty", "gone"],
)
def test_a_file_from_before_a_restart_cut_short_is_prepared_again_unsynced(left):
    store = FakeStore({} if left is None else {"packages/l/f/a.age": left})
    assert settle(store, written(EARLIER_BOOT), THIS_BOOT) is Settling.PREPARE_AGAIN
    assert store.synced == []


def test_a_file_gone_since_it_was_written_this_boot_is_prepared_again():
    assert settle(FakeStore({}), written(THIS_BOOT), THIS_BOOT) is Settling.PREPARE_AGAIN
