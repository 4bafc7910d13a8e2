"""The CloudEvents envelope and the schema check at both ends (pure logic: no broker)."""

from __future__ import annotations

import json

import pytest

from shared.events import InvalidEvent, new_event, parse_event
from shared.events.envelope import system_actor
from shared.events.registry import known_types

ORG = {
    "organisation_id": "o1",
    "legal_name_en": "Shenzhen Core Ltd",
    "legal_name_zh": "深圳芯核有限公司",
    "country": "CN",
    "region": "mainland_china",
    "roles": ["vendor"],
    "locale": "zh-Hans",
    "timezone": "Asia/Shanghai",
    "contacts": [{"name": "王伟", "email": "wang@core.example", "notices": ["all"]}],
    "version": 3,
}


def test_round_trip_keeps_everything_including_chinese():
    event = new_event("ipmarket.organisation.updated.v1", "/ipmarket/catalog", "o1", ORG)
    raw = event.to_json()
    assert "深圳芯核有限公司".encode() in raw  # UTF-8, not \\u escapes
    back = parse_event(raw)
    assert back == event
    assert json.loads(raw)["time"].endswith("Z")


def test_data_is_checked_when_produced():
    with pytest.raises(InvalidEvent, match="country"):
        new_event("ipmarket.organisation.updated.v1", "/x", "o1", {**ORG, "country": "CHN"})
    with pytest.raises(InvalidEvent, match="surprise"):
        new_event("ipmarket.organisation.updated.v1", "/x", "o1", {**ORG, "surprise": 1})
    with pytest.raises(InvalidEvent, match="unknown event type"):
        new_event("ipmarket.organisation.exploded.v1", "/x", "o1", ORG)


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"", "empty message"),
        (b"{not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"specversion": "1.0"}', "missing id, source, type"),
    ],
)
def test_malformed_envelopes_are_refused_with_a_reason(raw, reason):
    with pytest.raises(InvalidEvent, match=reason):
        parse_event(raw)


def test_data_is_checked_when_consumed():
    doc = json.loads(new_event("ipmarket.organisation.updated.v1", "/x", "o1", ORG).to_json())
    doc["data"]["version"] = "three"
    with pytest.raises(InvalidEvent, match="version"):
        parse_event(json.dumps(doc).encode())
    doc["specversion"] = "0.3"
    with pytest.raises(InvalidEvent, match="specversion"):
        parse_event(json.dumps(doc).encode())


def test_every_type_is_versioned_and_namespaced():
    for event_type in known_types():
        assert event_type.startswith("ipmarket.") and event_type.rsplit(".", 1)[1][0] == "v"


PERSON = {"kind": "person", "id": "p1", "name": "李伟", "organisation_id": "o1"}


def test_the_actor_travels_as_cloudevents_extension_attributes():
    event = new_event("ipmarket.organisation.updated.v1", "/x", "o1", ORG, actor=PERSON)
    doc = json.loads(event.to_json())
    assert (doc["actorkind"], doc["actorid"], doc["actorname"], doc["actororganisation"]) == (
        "person",
        "p1",
        "李伟",
        "o1",
    )
    assert parse_event(event.to_json()).actor == PERSON


def test_events_without_an_actor_stay_as_they_were():
    event = new_event("ipmarket.organisation.updated.v1", "/x", "o1", ORG)
    doc = json.loads(event.to_json())
    assert not [name for name in doc if name.startswith("actor")]
    assert parse_event(event.to_json()).actor is None


def test_the_platform_acting_alone_names_what_acted():
    actor = system_actor("licensing.scheduler")
    event = new_event("ipmarket.organisation.updated.v1", "/x", "o1", ORG, actor=actor)
    assert "actororganisation" not in json.loads(event.to_json())
    assert parse_event(event.to_json()).actor == actor


@pytest.mark.parametrize(
    "actor, reason",
    [
        ({**PERSON, "kind": "robot"}, "kind"),
        ({**PERSON, "id": "x" * 65}, "id"),
        ({**PERSON, "name": "n" * 301}, "name"),
        ({**PERSON, "organisation_id": None}, "organisation_id"),
        ({**PERSON, "mood": "happy"}, "mood"),
        ({"kind": "key"}, "id"),
    ],
)
def test_a_bad_actor_is_refused_when_produced(actor, reason):
    with pytest.raises(InvalidEvent, match=reason):
        new_event("ipmarket.organisation.updated.v1", "/x", "o1", ORG, actor=actor)


@pytest.mark.parametrize(
    "attributes, reason",
    [
        ({"actorkind": "person", "actorid": "p1"}, "organisation_id"),
        ({"actorkind": "person", "actorid": 7, "actororganisation": "o1"}, "id"),
        ({"actorid": "p1"}, "kind"),
        ({"actorkind": "key", "actorid": "k\x00", "actororganisation": "o1"}, "NUL"),
    ],
)
def test_a_bad_actor_is_refused_when_consumed(attributes, reason):
    doc = json.loads(new_event("ipmarket.organisation.updated.v1", "/x", "o1", ORG).to_json())
    with pytest.raises(InvalidEvent, match=reason):
        parse_event(json.dumps({**doc, **attributes}).encode())
