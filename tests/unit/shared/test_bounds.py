"""shared.bounds: what no store can hold is refused where it is parsed, naming where it was
(pure logic; the services' use of it is in tests/e2e/hostile)."""

from __future__ import annotations

import json

import pytest
from marshmallow import ValidationError, fields

from shared import bounds


@pytest.mark.parametrize(
    "raw, field, reason",
    [
        ("[" * 100_000 + "]" * 100_000, "body", "nests deeper"),
        ('{"a": ' * 33 + "1" + "}" * 33, ".".join("a" * 32), "nests deeper"),
        ('{"name": "x\\u0000"}', "name", "NUL"),
        ('{"list": ["ok", "\\ud800"]}', "list.1", "surrogates"),
        ('{"k\\u0000": 1}', "body", "a key must not contain NUL"),
        ('{"n": 9223372036854775808}', "n", "64-bit"),
        ('{"n": -9223372036854775809}', "n", "64-bit"),
        ('{"n": ' + "9" * 5000 + "}", "body", "digits"),
        ('{"n": NaN}', "body", "NaN is not JSON"),
        ('{"n": 1e400}', "n", "finite"),
    ],
)
def test_hostile_json_is_refused_naming_where(raw, field, reason):
    with pytest.raises(bounds.HostileInput) as refused:
        bounds.loads(raw.encode())
    assert (refused.value.field, reason in refused.value.message) == (field, True)


def test_ordinary_json_passes_unchanged():
    doc = {"name": "上海芯元微电子", "n": 2**63 - 1, "m": -(2**63), "x": [1.5, None, True]}
    assert bounds.loads(json.dumps(doc, ensure_ascii=False).encode()) == doc


def test_malformed_json_is_still_a_decode_error():
    with pytest.raises(json.JSONDecodeError):
        bounds.loads(b"{not json")
    with pytest.raises(json.JSONDecodeError):
        bounds.loads(b'"\xff"')


class Contact(bounds.Schema):
    name = fields.String()


class Page(bounds.Schema):
    offset = fields.Integer()
    contacts = fields.List(fields.Nested(Contact))


def test_the_schema_names_the_field_of_a_nul_or_a_huge_integer():
    with pytest.raises(ValidationError) as refused:
        Page().load({"contacts": [{"name": "a\x00"}]})
    assert refused.value.messages == {"contacts.0.name": ["must not contain NUL characters"]}
    with pytest.raises(ValidationError) as refused:
        Page().load({"offset": "9" * 30})  # as a query string carries it
    assert refused.value.messages == {"offset": ["must be a 64-bit integer"]}
    assert Page().load({"offset": str(2**63 - 1)}) == {"offset": 2**63 - 1}
