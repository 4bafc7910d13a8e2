"""A core's lifecycle."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from services.catalog.domain.lifecycle import (
    STATUSES,
    check_changeable,
    check_frozen_fields,
    check_publishable,
    status_after,
)
from shared.errors import Conflict, Invalid


def test_the_statuses_are_listed_in_lifecycle_order():
    assert STATUSES == ("draft", "published", "deprecated", "withdrawn")


@pytest.mark.parametrize(
    ("status", "transition", "after"),
    [
        ("draft", "publish", "published"),
        ("published", "deprecate", "deprecated"),
        ("published", "withdraw", "withdrawn"),
        ("deprecated", "withdraw", "withdrawn"),
    ],
)
def test_each_transition_leads_where_it_says(status, transition, after):
    assert status_after(status, transition) == after


@pytest.mark.parametrize(
    ("status", "transition"),
    [
        ("published", "publish"),
        ("draft", "deprecate"),
        ("draft", "withdraw"),
        ("withdrawn", "withdraw"),
    ],
)
def test_a_transition_from_the_wrong_status_is_a_conflict(status, transition):
    with pytest.raises(Conflict) as raised:
        status_after(status, transition)
    assert raised.value.field == "status"


def test_a_withdrawn_core_no_longer_changes():
    check_changeable("published")
    with pytest.raises(Conflict):
        check_changeable("withdrawn")


def test_a_draft_changes_anything():
    check_frozen_fields("draft", {"title_en": "new"}, {"title_en": "old"})


def test_a_published_core_changes_its_offers_but_not_its_title():
    check_frozen_fields("published", {"offers": []}, {"offers": [{"kind": "evaluation"}]})
    with pytest.raises(Conflict) as raised:
        check_frozen_fields("published", {"title_en": "new"}, {"title_en": "old"})
    assert raised.value.field == "title_en"


def test_sending_a_frozen_field_unchanged_is_no_change():
    check_frozen_fields("published", {"title_en": "same"}, {"title_en": "same"})


def publishable(**changes):
    return SimpleNamespace(
        **{
            "category": "memories",
            "eccn": "EAR99",
            "deliverable_kinds": ["soft_rtl"],
            "offers": [{"kind": "evaluation"}],
            **changes,
        }
    )


def test_a_complete_core_is_publishable():
    check_publishable(publishable())


@pytest.mark.parametrize("field", ["category", "eccn", "deliverable_kinds", "offers"])
def test_a_core_missing_what_licensing_needs_is_not_publishable(field):
    with pytest.raises(Invalid) as raised:
        check_publishable(publishable(**{field: None}))
    assert raised.value.field == field
