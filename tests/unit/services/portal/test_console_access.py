"""Who the operator console opens for, through Flask's test client against a catalog in memory:
visitors are sent to sign in, people without a platform role are told the page is not for them
and no service is asked; the console's forms carry CSRF and its pages no inline code."""

from __future__ import annotations

import re

import pytest

from tests.unit.services.portal.fake_catalog import FakeCatalog, portal
from tests.unit.services.portal.test_security import _sign_in

PAGES = [
    "/console/",
    "/console/reviews",
    "/console/reviews/request_1",
    "/console/applications",
    "/console/rules",
    "/console/rules/1",
    "/console/rules/new",
    "/console/organisations",
    "/console/dead-letters",
    "/console/people",
    "/console/people/5b1f0e8e-0000-4000-8000-000000000001",
]


@pytest.mark.parametrize("path", PAGES)
def test_a_visitor_is_sent_to_sign_in_first(path):
    answer = portal(FakeCatalog()).test_client().get(path)
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/sign-in?next={path}"


@pytest.mark.parametrize("path", PAGES)
def test_a_person_without_a_platform_role_is_refused_and_no_service_is_asked(path):
    fake = FakeCatalog()
    client = portal(fake).test_client()
    _sign_in(client, fake)
    before = len(fake.calls)
    answer = client.get(path)
    assert answer.status_code == 403 and "您的角色无权访问" in answer.text  # their language
    assert fake.calls[before:] == []
    assert not re.search(r"<script(?![^>]*\bsrc=)", answer.text) and " style=" not in answer.text
    assert 'href="/console/"' not in client.get("/account").text  # no console link either
