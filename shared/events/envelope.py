"""CloudEvents 1.0 envelope, structured JSON mode, as the Kafka message value.

The aggregate id is the Kafka key so that one aggregate's events stay in one partition, in order.
Every event's `data` is checked against its type's marshmallow schema when it is produced and
again when it is consumed.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from marshmallow import ValidationError

from shared.events.registry import schema_for

CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8"
REQUIRED = ("specversion", "id", "source", "type", "subject", "time", "datacontenttype", "data")


class InvalidEvent(ValueError):
    """A message that cannot be handled: the reason goes with it to the dead-letter topic."""


@dataclass(frozen=True)
class Event:
    type: str
    source: str
    subject: str  # the aggregate id: Kafka key and CloudEvents subject
    data: dict
    id: str = field(default_factory=lambda: str(uuid.uuid4()))  # (no database needed here)
    time: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_dict(self) -> dict:
        return {
            "specversion": "1.0",
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "subject": self.subject,
            "time": self.time.isoformat().replace("+00:00", "Z"),
            "datacontenttype": "application/json",
            "data": self.data,
        }

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()


def new_event(type: str, source: str, subject: str, data: dict) -> Event:
    """Validate `data` against the type's schema and wrap it; raises InvalidEvent."""
    return Event(type=type, source=source, subject=str(subject), data=validate_data(type, data))


def validate_data(type: str, data: dict) -> dict:
    schema = schema_for(type)
    if schema is None:
        raise InvalidEvent(f"unknown event type {type!r}")
    try:
        # dump(load()) normalises dates and decimals to their JSON forms.
        return schema.dump(schema.load(data))
    except ValidationError as exc:
        raise InvalidEvent(f"{type}: data does not match its schema: {exc.messages}") from None


def parse_event(raw: bytes) -> Event:
    """The inverse of Event.to_json, checking the envelope and the data; raises InvalidEvent."""
    if not raw:
        raise InvalidEvent("empty message")
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEvent(f"not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise InvalidEvent("not a JSON object")
    missing = [name for name in REQUIRED if name not in doc]
    if missing:
        raise InvalidEvent(f"not a CloudEvent: missing {', '.join(missing)}")
    if doc["specversion"] != "1.0":
        raise InvalidEvent(f"unsupported specversion {doc['specversion']!r}")
    if not isinstance(doc["data"], dict):
        raise InvalidEvent("data is not a JSON object")
    try:
        time = datetime.fromisoformat(str(doc["time"]).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidEvent(f"time {doc['time']!r} is not RFC 3339") from None
    data = validate_data(doc["type"], doc["data"])
    return Event(
        type=doc["type"],
        source=doc["source"],
        subject=str(doc["subject"]),
        data=data,
        id=str(doc["id"]),
        time=time,
    )
