"""Roles and the table of what each may do."""

from __future__ import annotations

import pytest

from services.catalog.domain import roles


@pytest.mark.parametrize(
    ("action", "allowed"),
    [
        ("cores.publish", {"owner", "publisher"}),
        ("license_requests.decide", {"owner", "approver"}),
        ("orders.place", {"owner", "buyer"}),
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
    assert readable and all(action.endswith((".read", ".read_drafts")) for action in readable)


def test_an_unknown_action_is_allowed_to_nobody():
    assert not roles.may(roles.ORGANISATION_ROLES + roles.PLATFORM_ROLES, "cores.pubilsh")


def test_platform_roles_are_not_organisation_roles():
    with pytest.raises(roles.UnknownRole):
        roles.checked_roles(["owner", "operator"])
    with pytest.raises(roles.UnknownRole):
        roles.checked_roles(["owner"], platform=True)
    assert roles.checked_roles(["viewer", "buyer", "viewer"]) == ["buyer", "viewer"]
