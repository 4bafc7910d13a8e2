"""Roles and the table of what each may do."""

from __future__ import annotations

import pytest

from shared import roles
from shared.directory import Principal


@pytest.mark.parametrize(
    ("action", "allowed"),
    [
        ("cores.publish", {"owner", "publisher"}),
        ("license_requests.decide", {"owner", "approver"}),
        ("orders.place", {"owner", "buyer"}),
        ("deliverables.upload", {"owner", "publisher"}),
        ("deliverables.download", {"owner", "buyer"}),
        ("payments.record", {"owner", "finance"}),
        ("members.invite", {"owner"}),
        ("organisations.decide", {"operator"}),
        ("export.review", {"export_reviewer"}),
    ],
)
def test_exactly_the_listed_roles_may_take_an_action(action, allowed):
    for role in roles.ORGANISATION_ROLES + roles.PLATFORM_ROLES:
        assert roles.may([role], action) is (role in allowed), role


def test_a_viewer_only_reads():
    readable = {action for action in roles.ACTIONS if roles.may(["viewer"], action)}
    assert readable and all(roles.is_read(action) for action in readable)
    assert roles.is_read("cores.read_drafts") and not roles.is_read("cores.publish")


def test_every_action_is_allowed_to_someone_and_only_to_roles_that_exist():
    for action, allowed in roles.ACTIONS.items():
        assert allowed, action
        assert allowed <= set(roles.ORGANISATION_ROLES + roles.PLATFORM_ROLES), action


def test_an_owner_may_every_action_of_its_organisation():
    for action, allowed in roles.ACTIONS.items():
        if allowed & set(roles.ORGANISATION_ROLES):
            assert roles.may([roles.OWNER], action), action


def test_an_action_is_for_organisations_or_for_the_platform_never_both():
    # Mixing would let a member role reach into the platform's work or the reverse.
    for action, allowed in roles.ACTIONS.items():
        mixed = allowed & set(roles.ORGANISATION_ROLES) and allowed & set(roles.PLATFORM_ROLES)
        assert not mixed, action


def test_every_action_of_a_read_name_is_open_to_the_viewer_or_the_platform():
    for action, allowed in roles.ACTIONS.items():
        if roles.is_read(action) and allowed & set(roles.ORGANISATION_ROLES):
            assert roles.VIEWER in allowed, action


def test_an_unknown_action_is_allowed_to_nobody():
    assert not roles.may(roles.ORGANISATION_ROLES + roles.PLATFORM_ROLES, "cores.pubilsh")


def test_platform_roles_are_not_organisation_roles():
    with pytest.raises(roles.UnknownRole):
        roles.checked_roles(["owner", "operator"])
    with pytest.raises(roles.UnknownRole):
        roles.checked_roles(["owner"], platform=True)
    assert roles.checked_roles(["viewer", "buyer", "viewer"]) == ["buyer", "viewer"]


# --- Principal.may: the one rule every service applies ------------------------------------------


def _key(*scopes, kinds=("vendor",)):
    return Principal("org-1", frozenset(kinds), key_id="key-1", scopes=frozenset(scopes))


def test_a_key_scoped_to_publishing_may_publish_and_nothing_else():
    key = _key(roles.PUBLISHER)
    assert key.may("cores.publish")
    assert not key.may("license_requests.decide")
    assert not key.may("api_keys.manage")


def test_a_key_without_scopes_keeps_todays_full_rights_of_its_organisation():
    key = Principal("org-1", frozenset({"vendor"}), key_id="key-1")
    assert key.may("license_requests.decide") and key.may("api_keys.manage")
    assert not key.may("export.review")


def test_platform_actions_need_a_platform_role_or_the_platforms_own_key():
    assert not _key(roles.OWNER).may("organisations.decide")
    assert _key(roles.OWNER, kinds=("admin",)).may("organisations.decide")
    reviewer = Principal(
        "platform",
        frozenset({"admin"}),
        person_id="p-1",
        scopes=frozenset(),
        platform_roles=frozenset({roles.EXPORT_REVIEWER}),
    )
    assert reviewer.may("export.review")
    assert not reviewer.may("organisations.decide")
    operator = Principal(
        "platform",
        frozenset({"admin"}),
        person_id="p-2",
        scopes=frozenset(),
        platform_roles=frozenset({roles.OPERATOR}),
    )
    assert operator.may("organisations.decide") and operator.may("cores.publish")
    assert not operator.may("export.review")


def test_a_platform_key_scoped_narrower_has_only_its_scopes():
    monitoring = _key(roles.VIEWER, kinds=("admin",))
    assert monitoring.may("organisation.read")
    assert not monitoring.may("organisations.decide")
    assert not monitoring.may("cores.publish")
    reviewer = _key(roles.EXPORT_REVIEWER, kinds=("admin",))
    assert reviewer.may("export.review") and not reviewer.may("rule_sets.change")


def test_the_actor_names_the_person_or_the_key():
    person = Principal("org-1", frozenset({"vendor"}), person_id="p-1", name="李伟")
    assert person.actor == {
        "kind": "person",
        "id": "p-1",
        "name": "李伟",
        "organisation_id": "org-1",
    }
    assert _key().actor == {
        "kind": "key",
        "id": "key-1",
        "name": None,
        "organisation_id": _key().organisation_id,
    }
