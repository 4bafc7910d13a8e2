"""A person's own language and time zone (PATCH /v1/people/me), and an operator changing
someone's platform roles (PUT /v1/people/<id>/platform-roles): the rules, the events, the
people audit."""

from __future__ import annotations

import pytest

from services.catalog import account, people, people_directory
from services.catalog.domain.people import Actor, settings_problem
from services.catalog.people_models import PeopleAuditRecord
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.events import people as people_events
from shared.events.registry import schema_for
from tests.unit.services.catalog.fakes import NOW, FakeWork, clock
from tests.unit.services.catalog.people_fakes import InMemoryPeopleRecords

PASSWORD = "plum kettle orbit 47"


@pytest.fixture
def work() -> FakeWork:
    return FakeWork(InMemoryPeopleRecords())


@pytest.mark.parametrize(
    ("settings", "problem_field"),
    [
        ({"locale": "zh-Hant", "timezone": "Asia/Hong_Kong"}, None),
        ({"locale": None, "timezone": None}, None),
        ({}, None),
        ({"timezone": "America/Argentina/Buenos_Aires"}, None),
        ({"locale": "zh-TW"}, "locale"),
        ({"locale": "fr"}, "locale"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "asia/shanghai"}, "timezone"),  # IANA names are case-sensitive
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"timezone": ""}, "timezone"),
    ],
)
def test_settings_are_a_known_language_and_an_iana_time_zone_or_null(settings, problem_field):
    problem = settings_problem(settings)
    assert (problem and problem[0]) == problem_field


def test_a_person_chooses_a_language_and_time_zone_and_every_service_hears_of_it(work):
    person = people.create_operator(work, "ops@vip.hk", "Chan Tai Man", PASSWORD)
    work.published.clear()
    changed = account.change_settings(
        work, person.id, {"locale": "zh-Hant", "timezone": "Asia/Hong_Kong"}, clock=clock
    )
    assert (changed["locale"], changed["timezone"]) == ("zh-Hant", "Asia/Hong_Kong")
    ((event_type, subject, data),) = work.published
    assert (event_type, subject) == (people_events.SETTINGS_CHANGED, person.id)
    assert schema_for(event_type).load(data) == {
        "person_id": person.id,
        "locale": "zh-Hant",
        "timezone": "Asia/Hong_Kong",
        "changed_at": NOW,
    }
    [record] = [r for r in work.records.rows if isinstance(r, PeopleAuditRecord)]
    assert (record.actor, record.action, record.subject) == (
        f"person:{person.id}",
        "people.settings",
        "ops@vip.hk",
    )
    assert record.detail == {
        "before": {"locale": None, "timezone": None},
        "after": {"locale": "zh-Hant", "timezone": "Asia/Hong_Kong"},
    }


def test_a_field_left_out_stays_null_is_the_organisation_s_and_no_change_is_no_news(work):
    person = people.create_operator(work, "ops@vip.hk", "Chan Tai Man", PASSWORD)
    account.change_settings(work, person.id, {"locale": "zh-Hans", "timezone": "Asia/Shanghai"})
    work.published.clear()
    account.change_settings(work, person.id, {"timezone": None}, clock=clock)
    assert (person.locale, person.timezone) == ("zh-Hans", None)
    account.change_settings(work, person.id, {"locale": "zh-Hans"}, clock=clock)
    assert [data["timezone"] for _, _, data in work.published] == [None]


def test_a_bad_setting_names_its_field_and_changes_nothing(work):
    person = people.create_operator(work, "ops@vip.hk", "Chan Tai Man", PASSWORD)
    work.published.clear()
    with pytest.raises(Invalid) as refused:
        account.change_settings(work, person.id, {"locale": "en", "timezone": "Europe/Atlantis"})
    assert refused.value.field == "timezone"
    assert (person.locale, work.published) == (None, [])


def test_an_operator_changes_platform_roles_through_the_command_line_s_rules(work):
    first = people.create_operator(work, "ops@vip.hk", "Chan Tai Man", PASSWORD)
    other = people.create_operator(work, "rev@vip.hk", "Rita View", PASSWORD)
    operator = Actor(platform_roles=frozenset({"operator"}), person_id=first.id)
    work.published.clear()
    person = people_directory.set_platform_roles(work, operator, other.id, ["export_reviewer"])
    assert person.platform_roles == ["export_reviewer"]
    ((event_type, subject, data),) = work.published
    assert (event_type, subject, data["platform_roles"]) == (
        people_events.PLATFORM_ROLES_CHANGED,
        other.id,
        ["export_reviewer"],
    )
    [record] = [r for r in work.records.rows if isinstance(r, PeopleAuditRecord)]
    assert (record.actor, record.action, record.detail) == (
        f"person:{first.id}",
        "people.platform_roles",
        {"before": ["operator"], "after": ["export_reviewer"]},
    )
    with pytest.raises(Conflict, match="last operator"):
        people_directory.set_platform_roles(work, operator, first.id, [])
    with pytest.raises(NotFound):
        people_directory.set_platform_roles(work, operator, "nobody", [])


@pytest.mark.parametrize(
    "actor",
    [
        Actor(platform_roles=frozenset({"export_reviewer"}), person_id="reviewer"),
        Actor(memberships={"org-1": frozenset({"owner"})}, person_id="owner"),
        Actor(platform_roles=frozenset({"operator"}), key_id="a key, not a person"),
    ],
)
def test_only_a_signed_in_operator_changes_platform_roles(work, actor):
    person = people.create_operator(work, "ops@vip.hk", "Chan Tai Man", PASSWORD)
    work.published.clear()
    with pytest.raises(Forbidden):
        people_directory.set_platform_roles(work, actor, person.id, ["export_reviewer"])
    assert (person.platform_roles, work.published) == (["operator"], [])
