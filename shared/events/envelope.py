"""CloudEvents 1.0 envelope, structured JSON mode, as the Kafka message value.

The aggregate id is the Kafka key so that one aggregate's events stay in one partition, in order.
Every event's `data` is checked against its type's marshmallow schema when it is produced and
again when it is consumed.

Who did it travels beside the data, as CloudEvents extension attributes: `actorkind` (person,
key or system), `actorid`, `actorname` and `actororganisation` (the organisation the actor acted
for). Flat strings, because CloudEvents 1.0 gives extension attributes scalar types only (no
maps); in Python they are one dict, `Event.actor`. Optional: events published before the actor
existed, or by a use case that has none, carry no actor attributes.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from marshmallow import ValidationError

from shared import bounds
from shared.events.data_check import DataCheck, compile_check
from shared.events.registry import schema_for

CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8"
REQUIRED = ("specversion", "id", "source", "type", "subject", "time", "datacontenttype", "data")


ACTOR_KINDS = ("person", "key", "system")
# the actor's keys in Event.actor → their CloudEvents extension attribute
ACTOR_ATTRIBUTES = {
    "kind": "actorkind",
    "id": "actorid",
    "name": "actorname",
    "organisation_id": "actororganisation",
}


class InvalidEvent(ValueError):
    """A message that cannot be handled: the reason goes with it to the dead-letter topic."""


# Each field of an actor: (required, longest). Checked in plain Python, not by a marshmallow
# schema: every event of every request carries the actor, and a schema's load and dump cost
# more than the rest of the envelope (issue 13: issuance CPU).
_ACTOR_FIELDS = {
    "kind": (True, max(map(len, ACTOR_KINDS))),
    "id": (True, bounds.MAX_CODE),  # a person's or key's id, or what the system is
    "name": (False, bounds.MAX_NAME),
    "organisation_id": (False, bounds.MAX_ID),
}


def _actor_problems(actor) -> dict[str, str]:
    """Why `actor` is not one (field → reason); empty when it is. A person, an API key (for
    machines) or the platform itself (a scheduled job, the command line), with the
    organisation it acted for (None for the platform itself)."""
    if not isinstance(actor, dict):
        return {"_schema": "must be an object"}
    problems = {name: "unknown field" for name in actor if name not in _ACTOR_FIELDS}
    for name, (required, longest) in _ACTOR_FIELDS.items():
        value = actor.get(name)
        if value is None:
            if required:
                problems[name] = "missing"
        elif type(value) is not str:
            problems[name] = "must be a string"
        elif not 1 <= len(value) <= longest:
            problems[name] = f"must be 1 to {longest} characters"
        elif problem := bounds.text_problem(value):
            problems[name] = problem
    if "kind" not in problems and actor["kind"] not in ACTOR_KINDS:
        problems["kind"] = f"must be one of {', '.join(ACTOR_KINDS)}"
    if not problems and actor["kind"] != "system" and actor.get("organisation_id") is None:
        problems["organisation_id"] = "a person or key acts for an organisation"
    return problems


def system_actor(what: str) -> dict:
    """The platform acting on its own (a scheduled job, the command line): `what` names it."""
    return {"kind": "system", "id": what, "name": None, "organisation_id": None}


@dataclass(frozen=True)
class Event:
    type: str
    source: str
    subject: str  # the aggregate id: Kafka key and CloudEvents subject
    data: dict
    id: str = field(default_factory=lambda: str(uuid.uuid4()))  # (no database needed here)
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    actor: dict | None = None  # see ACTOR_ATTRIBUTES; None: not known (older events)

    def to_dict(self) -> dict:
        doc = {
            "specversion": "1.0",
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "subject": self.subject,
            "time": self.time.isoformat().replace("+00:00", "Z"),
            "datacontenttype": "application/json",
            "data": self.data,
        }
        if self.actor is not None:
            for key, attribute in ACTOR_ATTRIBUTES.items():
                if self.actor.get(key) is not None:
                    doc[attribute] = self.actor[key]
        return doc

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()


def new_event(type: str, source: str, subject: str, data: dict, actor: dict | None = None) -> Event:
    """Validate `data` against the type's schema (and `actor` against _ACTOR_FIELDS) and wrap
    them; raises InvalidEvent."""
    return Event(
        type=type,
        source=source,
        subject=str(subject),
        data=validate_data(type, data),
        actor=validate_actor(actor) if actor is not None else None,
    )


# Event type → its data check built from its schema (None: the schema's own load and dump).
_data_checks: dict[str, DataCheck | None] = {}


def validate_data(type: str, data: dict) -> dict:
    """`data` checked against the type's schema and bounds, dates and decimals in their JSON
    forms; raises InvalidEvent. The compiled check answers when it is sure, marshmallow
    otherwise (and names the problem)."""
    try:
        check = _data_checks[type]
    except KeyError:
        schema = schema_for(type)
        if schema is None:
            raise InvalidEvent(f"unknown event type {type!r}") from None
        check = _data_checks[type] = compile_check(schema)
    if check is not None and (checked := check(data)) is not None:
        return checked
    schema = schema_for(type)
    try:
        # dump(load()) normalises dates and decimals to their JSON forms.
        return schema.dump(schema.load(data))
    except ValidationError as exc:
        raise InvalidEvent(f"{type}: data does not match its schema: {exc.messages}") from None


def validate_actor(actor: dict) -> dict:
    """`actor` with every field present (absent ones None); raises InvalidEvent naming each
    field that is wrong."""
    problems = _actor_problems(actor)
    if problems:
        raise InvalidEvent(f"actor does not match its schema: {problems}")
    return {name: actor.get(name) for name in _ACTOR_FIELDS}


def _actor_of(doc: dict) -> dict | None:
    """The actor from a CloudEvent's extension attributes (None when it names none)."""
    present = {key: doc[name] for key, name in ACTOR_ATTRIBUTES.items() if name in doc}
    return validate_actor(present) if present else None


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
        actor=_actor_of(doc),
    )
