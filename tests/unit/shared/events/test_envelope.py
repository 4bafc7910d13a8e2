"""The CloudEvents envelope and the schema check at both ends (pure logic: no broker)."""

from __future__ import annotations

import json

import pytest

from shared.events import InvalidEvent, new_event, parse_event
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
