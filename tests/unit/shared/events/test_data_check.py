"""The compiled data check answers as marshmallow's load then dump does, or leaves the answer to
them. (Every registered event type is compared in tests/integration/shared/test_event_contract.)"""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from marshmallow import EXCLUDE, ValidationError, fields, post_load, validate

from shared.bounds import Schema
from shared.events.data_check import compile_check
from shared.events.registry import EventData


class Part(EventData):
    code = fields.String(required=True, validate=validate.Length(min=1, max=4))
    flag = fields.Boolean(allow_none=True, load_default=None)


class Loose(Schema):
    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True)


class Sample(EventData):
    name = fields.String(required=True, validate=validate.Length(min=1, max=8))
    kind = fields.String(required=True, validate=validate.OneOf(("a", "b")))
    count = fields.Integer(required=True, validate=validate.Range(min=0, max=10))
    email = fields.Email(allow_none=True, load_default=None, validate=validate.Length(max=254))
    amount = fields.Decimal(as_string=True, allow_none=True, load_default=None)
    at = fields.AwareDateTime(allow_none=True, load_default=None)
    part = fields.Nested(Part, allow_none=True, load_default=None)
    parts = fields.List(fields.Nested(Part), load_default=None, validate=validate.Length(max=2))
    loose = fields.Nested(Loose, allow_none=True, load_default=None)
    note = fields.String()  # optional, no default: absent stays absent


VALID = {
    "name": "chip",
    "kind": "a",
    "count": 10,
    "email": "a@example.com",
    "amount": "12.50",
    "at": "2026-12-02T10:00:00+01:00",
    "part": {"code": "x"},
    "parts": [{"code": "y", "flag": True}],
    "loose": {"name": "n", "extra": "kept out"},
}


def _marshmallow(data):
    try:
        return Sample().dump(Sample().load(data))
    except ValidationError:
        return None


def test_valid_data_comes_back_as_the_schema_dumps_it():
    check = compile_check(Sample())
    assert check(VALID) == _marshmallow(VALID)
    assert check(VALID)["parts"] == [{"code": "y", "flag": True}]
    assert "note" not in check(VALID) and check(VALID)["part"] == {"code": "x", "flag": None}
    assert list(check(VALID)) == list(_marshmallow(VALID))  # in the schema's order


def test_dates_and_decimals_take_their_json_forms():
    check = compile_check(Sample())
    at = datetime(2026, 12, 2, 10, tzinfo=timezone(timedelta(hours=8)))
    data = {**VALID, "at": at, "amount": Decimal("1E+2")}
    assert check(data) == _marshmallow(data)
    assert (check(data)["at"], check(data)["amount"]) == (at.isoformat(), "100")


@pytest.mark.parametrize(
    "change",
    [
        {"name": ""},
        {"name": "123456789"},
        {"name": "a\x00b"},
        {"name": "\ud800"},
        {"name": None},
        {"name": 5},
        {"kind": "c"},
        {"count": 11},
        {"count": 2**64},
        {"count": True},
        {"count": "3"},  # marshmallow takes it; the check leaves it to marshmallow
        {"email": "not an address"},
        {"amount": "NaN"},
        {"at": "2026-12-02T10:00:00"},  # naive
        {"at": datetime(2026, 12, 2)},
        {"at": "yesterday"},
        {"part": {"code": "toolong"}},
        {"part": {"code": "x", "unknown": 1}},
        {"part": ["x"]},
        {"parts": [{"code": "y"}] * 3},
        {"parts": [None]},
        {"loose": {"name": "n", "extra": "\x00"}},
        {"loose": {"name": "n", "extra": {"deep": 1}}},
        {"unknown": 1},
    ],
)
def test_anything_doubtful_is_left_to_marshmallow(change):
    data = {**VALID, **change}
    got = compile_check(Sample())(data)
    assert got is None or got == _marshmallow(data)
    if _marshmallow(data) is None:
        assert got is None


def test_a_missing_required_field_is_left_to_marshmallow():
    data = {k: v for k, v in VALID.items() if k != "count"}
    assert compile_check(Sample())(data) is None and _marshmallow(data) is None


def test_a_schema_it_cannot_mirror_gets_no_check():
    class Hooked(EventData):
        name = fields.String()

        @post_load
        def upper(self, data, **_):
            return data

    class Renamed(EventData):
        name = fields.String(data_key="Name")

    class Defaulted(EventData):
        names = fields.List(fields.String(), load_default=list)

    for schema in (Hooked(), Renamed(), Defaulted()):
        assert compile_check(schema) is None
