"""The top navigation offers each workspace only to members of an organisation of that kind:
a vendor's member no licensee workspace, a licensee's member no vendor workspace, a member of
an organisation that is both, both."""

from __future__ import annotations

import pytest

from tests.unit.services.portal.vendor.fake_licensing import workspace


def links(client) -> set[str]:
    page = client.get("/account").text
    header = page.split('<header class="site">', 1)[1].split("</header>", 1)[0]
    return {path for path in ("/vendor/requests", "/licensee/requests") if path in header}


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        (["vendor"], {"/vendor/requests"}),
        (["licensee"], {"/licensee/requests"}),
        (["vendor", "licensee"], {"/vendor/requests", "/licensee/requests"}),
    ],
)
def test_each_workspace_is_offered_to_members_of_its_kind_only(kinds, expected):
    client, _ = workspace(["owner"], kinds=kinds)
    assert links(client) == expected
