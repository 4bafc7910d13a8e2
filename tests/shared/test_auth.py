"""RecentPrincipals: principals found for API keys, reused for a short time (pure logic; the
licensing app's use of it is tested in tests/integration/licensing/test_api.py)."""
from __future__ import annotations

import time

from shared.auth import Principal, RecentPrincipals

ALICE = Principal(organisation_id="org-1", roles=frozenset({"licensee"}), key_id="key-1")


def test_a_principal_is_remembered_for_the_given_seconds_only():
    recent = RecentPrincipals(0.2)
    recent.remember("hash-1", ALICE)
    assert recent.get("hash-1") == ALICE
    assert recent.get("hash-2") is None
    time.sleep(0.25)
    assert recent.get("hash-1") is None


def test_remembered_principals_are_bounded():
    recent = RecentPrincipals(60, max_keys=3)
    for i in range(10):
        recent.remember(f"hash-{i}", ALICE)
    assert len(recent._found) <= 3
    assert recent.get("hash-9") == ALICE
