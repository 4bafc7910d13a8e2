"""An organisation's profile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.catalog.domain.organisation_profile import check_profile, last_use_due, region_for
from shared.errors import Invalid

PROFILE = {
    "timezone": "Asia/Shanghai",
    "locale": "zh-Hans",
    "roles": ["vendor"],
    "contacts": [{"notices": ["all"]}],
}


@pytest.mark.parametrize(
    ("country", "region"),
    [
        ("CN", "mainland_china"),
        ("hk", "hong_kong"),
        ("MO", "macau"),
        ("TW", "taiwan"),
        ("DE", "overseas"),
    ],
)
def test_the_region_follows_the_country(country, region):
    assert region_for(country) == region


def test_a_valid_profile_passes():
    check_profile(**PROFILE)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"locale": "fr"}, "locale"),
        ({"roles": []}, "roles"),
        ({"roles": ["vendor", "king"]}, "roles.1"),
        ({"contacts": [{"notices": ["all", "gossip"]}]}, "contacts.0.notices.1"),
    ],
)
def test_what_is_wrong_in_a_profile_is_named(change, field):
    with pytest.raises(Invalid) as raised:
        check_profile(**{**PROFILE, **change})
    assert raised.value.field == field


def test_a_keys_use_is_written_at_most_once_a_minute():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert last_use_due(now, None)
    assert not last_use_due(now, now - timedelta(seconds=60))
    assert last_use_due(now, now - timedelta(seconds=61))
