"""The contract between producers and consumers (issue 13): every field of every event type is
bounded, and the largest valid event of each type (every string at its longest, every list at
its fullest, every number at its largest) is stored by every service that consumes it, on
PostgreSQL. A 100 KB contact e-mail once passed the catalog, could not be stored by notify
(varchar(320)) and was dead-lettered; bounds that a consumer cannot hold fail here."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from marshmallow import ValidationError, fields, validate

from services.deliverables import handlers as deliverables_handlers
from services.deliverables import models as deliverables_models
from services.licensing import handlers as licensing_handlers
from services.licensing import models as licensing_models
from services.notify import handlers as notify_handlers
from services.notify import models as notify_models
from shared.db.engine import create_engine
from shared.db.session import session_factory
from shared.events import deliverables as deliverables_events
from shared.events import licensing as licensing_events
from shared.events import new_event, parse_event
from shared.events import people as people_events
from shared.events.data_check import compile_check
from shared.events.registry import known_types, schema_for

CONSUMERS = {
    "licensing": licensing_handlers,
    "notify": notify_handlers,
    "deliverables": deliverables_handlers,
}
# The people events licensing, notify and deliverables project to check people's access tokens.
PROJECTED_PEOPLE_EVENTS = set(licensing_handlers.people_directory.handlers)
LATEST = datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)


class Unbounded(AssertionError):
    pass


def _validators(field) -> list:
    found = field.validate if isinstance(field.validate, list | tuple) else [field.validate]
    return [v for v in (*found, *field.validators) if v is not None]


def _of(field, kind):
    return next((v for v in _validators(field) if isinstance(v, kind)), None)


def largest_email(length: int) -> str:
    """A valid address of exactly `length` characters: a 64-character local part and a domain
    of labels of up to 63."""
    domain, budget = "com", length - 65
    while len(domain) < budget:
        domain = "d" * min(63, budget - len(domain) - 1) + "." + domain
    return "l" * 64 + "@" + domain


def largest(field, ident: str, path: str):
    """The largest value `field` accepts; `ident` for every id, so that one organisation is
    vendor, licensee and subject of the event."""
    if isinstance(field, fields.Nested):
        return largest_data(field.schema, ident, path)
    one_of = _of(field, validate.OneOf)
    if one_of is not None:
        return max(one_of.choices, key=lambda c: (len(str(c)), c))
    length, value_range = _of(field, validate.Length), _of(field, validate.Range)
    if isinstance(field, fields.List):
        if length is None or length.max is None:
            raise Unbounded(f"{path}: a list without a maximum length")
        return [largest(field.inner, ident, f"{path}.{i}") for i in range(length.max)]
    if isinstance(field, fields.Email):
        if length is None or length.max is None:
            raise Unbounded(f"{path}: an e-mail address without a maximum length")
        return largest_email(length.max)
    if isinstance(field, fields.String):
        if length is None or (length.max is None and length.equal is None):
            raise Unbounded(f"{path}: a string without a maximum length")
        if length.max == 36:  # an id
            return ident
        return "字" * (length.equal or length.max)  # 3 bytes each in UTF-8
    if isinstance(field, fields.Boolean):
        return True
    if isinstance(field, fields.Integer | fields.Decimal):
        if value_range is None or value_range.max is None:
            raise Unbounded(f"{path}: a number without a maximum")
        return str(value_range.max) if isinstance(field, fields.Decimal) else value_range.max
    if isinstance(field, fields.DateTime):
        return LATEST.isoformat()
    raise Unbounded(f"{path}: no largest value known for {type(field).__name__}")


def largest_data(schema, ident: str, path: str = "") -> dict:
    return {
        name: largest(field, ident, f"{path}.{name}" if path else name)
        for name, field in schema.fields.items()
    }


def largest_event(event_type: str, ident: str):
    data = largest_data(schema_for(event_type), ident, event_type)
    if event_type.startswith("ipmarket.organisation."):
        for contact in data["contacts"]:  # routed to: each wants every notice
            contact["notices"][0] = "all"
        data["timezone"] = "America/Argentina/ComodRivadavia"
    event = new_event(event_type, "/ipmarket/contract", ident, data)  # valid, or this fails
    return parse_event(event.to_json())  # as the consumer reads it


def test_every_field_of_every_event_is_bounded():
    for event_type in known_types():
        largest_data(schema_for(event_type), "x" * 36, event_type)


def test_the_largest_email_is_valid_and_as_long_as_allowed():
    event = largest_event("ipmarket.organisation.registered.v1", "o" * 36)
    emails = {c["email"] for c in event.data["contacts"]}
    assert {len(e) for e in emails} == {254}


def test_an_unbounded_field_is_found():
    with pytest.raises(Unbounded, match="note: a string without a maximum length"):
        largest(fields.String(), "x" * 36, "note")


@pytest.fixture
def consumer_databases(make_database):
    engines = {service: create_engine(make_database(service)) for service in CONSUMERS}
    yield {service: session_factory(engine) for service, engine in engines.items()}
    for engine in engines.values():
        engine.dispose()


def test_every_consumer_stores_the_largest_event_of_each_type(consumer_databases):
    handled = []
    for number, event_type in enumerate(known_types()):
        ident = f"{number:08d}-0000-4000-8000-000000000000"  # a fresh organisation each
        event = largest_event(event_type, ident)
        registration = largest_event("ipmarket.organisation.registered.v1", ident)
        for service, handlers in CONSUMERS.items():
            handler = handlers.event_handlers().get(event_type)
            if handler is None:
                continue
            sessions = consumer_databases[service]
            if event_type != registration.type:  # the organisation first, as in life
                with sessions() as session, session.begin():
                    handlers.event_handlers()[registration.type](registration, session)
            with sessions() as session, session.begin():
                handler(event, session)
            handled.append((service, event_type))
            with sessions() as session:
                _check_stored(service, session, event)
    assert {(s, t) for s, t in handled} >= {
        (service, t)
        for service in ("licensing", "notify", "deliverables")
        for t in PROJECTED_PEOPLE_EVENTS
    }
    assert {t for _, t in handled} >= set(known_types()) - {
        "ipmarket.webhook_endpoint.disabled.v1"  # notify's own, consumed by no one
    } - {  # not consumed yet (issue 17: the daily digest next)
        deliverables_events.DELIVERABLE_UPLOADED,
        deliverables_events.DELIVERABLE_DOWNLOADED,
    }
    # Notify consumes every people event: for checking access tokens, for addresses, or to write
    # to the person.
    assert {t for service, t in handled if service == "notify"} >= set(people_events.PEOPLE_EVENTS)


# People events notify keeps in its projection of people, or sends only to a person it knows.
NOTIFY_PROJECTS_ONLY = {
    people_events.MEMBER_ROLES_CHANGED,
    people_events.MEMBER_REMOVED,
    people_events.PERSON_DISABLED,
    people_events.SECOND_FACTOR_RESET,
    people_events.ACCESS_TOKEN_KEY_ANNOUNCED,
    people_events.SESSION_ENDED,
}


def _check_stored(service: str, session, event) -> None:
    data = event.data
    models = {
        "licensing": licensing_models,
        "notify": notify_models,
        "deliverables": deliverables_models,
    }[service]
    if event.type.startswith("ipmarket.organisation."):
        held = session.get(models.KnownOrganisation, data["organisation_id"])
        assert (held.contacts, held.version) == (data["contacts"], data["version"])
    if event.type.startswith("ipmarket.core."):
        core_model = getattr(models, "KnownCore", None) or models.KnownCoreVersion
        held = session.get(core_model, data["core_id"])
        assert held.version == data["version"]
        if service == "licensing":
            assert held.offers == data["offers"] and held.title_en == data["title_en"]
    if event.type in PROJECTED_PEOPLE_EVENTS:
        _check_people_stored(models, session, event)
    if service == "deliverables":
        _check_deliverables_stored(session, event)
    if service == "notify" and event.type == people_events.SETTINGS_CHANGED:
        held = session.get(notify_models.KnownPerson, data["person_id"])
        assert (held.locale, held.timezone) == (data["locale"], data["timezone"])
        return
    if service == "notify" and event.type == people_events.MEMBER_JOINED:
        held = session.get(notify_models.KnownPerson, data["person_id"])
        assert (held.email, held.home_organisation_id) == (data["email"], data["organisation_id"])
        return
    if event.type in PROJECTED_PEOPLE_EVENTS or (
        service == "notify" and event.type in NOTIFY_PROJECTS_ONLY
    ):
        return  # of a person or membership it never heard of: nothing to keep, nobody to tell
    if service == "notify" and not event.type.startswith("ipmarket.core."):
        # (No one holds or watches the core: its events are told to no one.)
        assert session.get(notify_models.Notice, event.id).data == data, event.type
        addresses = session.scalars(
            sa.select(notify_models.Delivery.address).where(
                notify_models.Delivery.notice_id == event.id
            )
        )
        assert {len(a) for a in addresses} == {254}, event.type


def _check_deliverables_stored(session, event) -> None:
    data = event.data
    if event.type == licensing_events.SCREENING_RULES_PUBLISHED:
        held = session.get(deliverables_models.KnownRuleSet, data["version"])
        assert (held.rules, held.embargoed) == (data["rules"], data["embargoed"])
    elif event.type.startswith("ipmarket.license."):
        held = session.get(deliverables_models.KnownLicense, data["license_id"])
        assert (held.granted, held.end_use_country) == (
            data["deliverables"],
            data["end_use_country"],
        )
    elif event.type.startswith("ipmarket.core."):
        held = session.get(deliverables_models.KnownCoreVersion, data["core_id"])
        assert (held.eccn, held.territory_restrictions) == (
            data["eccn"],
            data["territory_restrictions"],
        )


def _check_people_stored(models, session, event) -> None:
    data = event.data
    if event.type == people_events.ACCESS_TOKEN_KEY_ANNOUNCED:
        assert session.get(models.KnownTokenKey, data["kid"]).public_key == data["public_key"]
    elif event.type == people_events.PERSON_DISABLED:
        assert session.get(models.KnownPerson, data["person_id"]).disabled_at is not None
    elif event.type == people_events.SESSION_ENDED:
        assert session.get(models.EndedSession, data["session_id"]) is not None
    elif event.type == people_events.PLATFORM_ROLES_CHANGED:
        held = session.get(models.KnownPlatformRoles, data["person_id"])
        assert held.platform_roles == data["platform_roles"]
        assert session.get(models.KnownPerson, data["person_id"]).name_en == data["name_en"]
    else:
        held = session.get(models.KnownMembership, (data["person_id"], data["organisation_id"]))
        if event.type == people_events.MEMBER_REMOVED:
            assert held is None
        else:
            assert held.roles == data["roles"]
    if event.type == people_events.MEMBER_JOINED:
        assert session.get(models.KnownPerson, data["person_id"]).name_en == data["name_en"]


def test_the_largest_price_a_core_event_carries_is_one_licensing_can_charge():
    """An offer priced USD 1e20 once passed the catalog, and licensing refused it forever."""
    from services.licensing.domain.money import Money

    offer = largest_event("ipmarket.core.published.v1", "c" * 36).data["offers"][0]
    money = Money.parse(offer["price"]["amount"], offer["price"]["currency"])
    assert money.minor == 999_999_999_999_999


def _marshmallow_answer(schema, data):
    try:
        return schema.dump(schema.load(data))
    except ValidationError:
        return None


def _with_short_lists(value):
    if isinstance(value, dict):
        return {name: _with_short_lists(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_with_short_lists(item) for item in value[:2]]
    return value


def _spoiled(value):
    """Values near `value` that a schema may refuse: too long, wrong type, hostile, absent."""
    yield None
    yield ["x"]
    yield {"x": 1}
    yield 2**64
    yield "a\x00b"
    yield "\ud800"
    yield "2026-12-02T10:00:00"  # naive
    if isinstance(value, str):
        yield value + "x"
        yield value[:-1]
        yield ""
    if isinstance(value, list) and value:
        yield value + value[:1]
        yield [None, *value[1:]]
        yield [{**value[0], "unknown": 1}] if isinstance(value[0], dict) else [1]
    if isinstance(value, dict):
        yield {**value, "unknown": 1}
        for name in value:
            yield {k: v for k, v in value.items() if k != name}
    if isinstance(value, bool):
        yield 1
    elif isinstance(value, int):
        yield value + 1
        yield -value
        yield True


def test_the_compiled_data_check_answers_as_marshmallow_does():
    """validate_data's fast path (shared/events/data_check.py) gives what the schema's load and
    dump give, or leaves the answer to them: for the largest and the smallest event of each
    type, and for the largest (lists cut short) with one field spoiled in each way _spoiled
    knows."""
    answered = 0
    for event_type in known_types():
        schema = schema_for(event_type)
        check = compile_check(schema)
        if check is None:
            continue
        largest_valid = largest_data(schema, "x" * 36, event_type)
        smallest_valid = {n: v for n, v in largest_valid.items() if schema.fields[n].required}
        for data in (largest_valid, smallest_valid):
            expected = _marshmallow_answer(schema, data)
            assert expected is not None and check(data) == expected, event_type
            answered += 1
        shorter = _with_short_lists(largest_valid)  # marshmallow's answers cost less
        for name, value in shorter.items():
            for spoiled in _spoiled(value):
                changed = {**shorter, name: spoiled}
                got = check(changed)
                assert got is None or got == _marshmallow_answer(schema, changed), (
                    event_type,
                    name,
                    spoiled,
                )
    assert answered >= 2 * (len(known_types()) - 1)
