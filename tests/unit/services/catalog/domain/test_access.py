"""Who sees and changes what."""

from __future__ import annotations

from dataclasses import dataclass

from services.catalog.domain.access import may_change_core, may_see_core, may_see_organisation


@dataclass
class Viewer:
    organisation_id: str
    is_admin: bool = False


def test_anyone_sees_a_published_core():
    assert may_see_core(None, "published", "vendor-1")
    assert may_see_core(Viewer("someone"), "published", "vendor-1")


def test_a_draft_is_seen_by_its_vendor_and_the_operator_only():
    assert not may_see_core(None, "draft", "vendor-1")
    assert not may_see_core(Viewer("vendor-2"), "draft", "vendor-1")
    assert may_see_core(Viewer("vendor-1"), "draft", "vendor-1")
    assert may_see_core(Viewer("ops", is_admin=True), "withdrawn", "vendor-1")


def test_only_the_owner_or_the_operator_changes_a_core():
    assert may_change_core(Viewer("vendor-1"), "vendor-1")
    assert may_change_core(Viewer("ops", is_admin=True), "vendor-1")
    assert not may_change_core(Viewer("vendor-2"), "vendor-1")


def test_an_organisation_sees_its_own_profile_and_the_operator_every_one():
    assert may_see_organisation(Viewer("org-1"), "org-1")
    assert not may_see_organisation(Viewer("org-2"), "org-1")
    assert may_see_organisation(Viewer("ops", is_admin=True), "org-1")
