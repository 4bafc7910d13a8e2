"""RecentPrincipals: principals found for API keys, reused for a short time (pure logic; the
licensing app's use of it is tested in tests/integration/licensing/test_api.py)."""

from __future__ import annotations

from shared.directory import Principal, RecentPrincipals

ALICE = Principal(organisation_id="org-1", roles=frozenset({"licensee"}), key_id="key-1")


def test_a_principal_is_remembered_for_the_given_seconds_only():
    now = [100.0]
    recent = RecentPrincipals(0.2, clock=lambda: now[0])
    recent.remember("hash-1", ALICE)
    assert recent.get("hash-1") == ALICE
    assert recent.get("hash-2") is None
    now[0] += 0.2
    assert recent.get("hash-1") == ALICE  # still within its 0.2 s
    now[0] += 0.001
    assert recent.get("hash-1") is None


def test_remembered_principals_are_bounded():
    recent = RecentPrincipals(60, max_keys=3)
    for i in range(10):
        recent.remember(f"hash-{i}", ALICE)
    assert len(recent._found) <= 3
    assert recent.get("hash-9") == ALICE


def test_a_key_s_actor_is_named_by_its_label():
    from shared.directory import key_principal

    principal = key_principal("org-1", ["vendor"], "key-1", ["publisher"], "upload script")
    assert principal.actor == {
        "kind": "key",
        "id": "key-1",
        "name": "upload script",
        "organisation_id": "org-1",
    }
    assert key_principal("org-1", ["vendor"], "key-1", None).actor["name"] is None
