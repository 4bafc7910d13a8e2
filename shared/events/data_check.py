"""An event type's data checked by a function built once from its marshmallow schema.

`schema.dump(schema.load(data))`, with the bounds walk, was the dearest part of producing an
event (issue 13: about a fifth of a license issuance's CPU). The check built here does the same
in one pass over the data: every field's type, its validators, unknown and missing fields, NUL
characters, lone surrogates and integers past 64 bits, and gives the same normalised data
(dates and decimals in their JSON forms). It is a fast path only: whatever it is not sure of (a
type or value it does not know exactly, any error) it hands back as None, and marshmallow decides
and names the problem. A schema it cannot mirror (hooks, data keys, many, a field type not
listed here) gets no check at all, so marshmallow handles all of its data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, missing, validate

from shared.bounds import INT64_MAX, INT64_MIN, text_problem

# The one schema-level hook every bounds.Schema has; the check does its work (integers in range).
_KNOWN_HOOKS = {"_refuse_integers_past_64_bits"}
_ISO_FORMATS = (None, "iso", "iso8601")
_BOOLEAN_SETS = (fields.Boolean.truthy, fields.Boolean.falsy)

DataCheck = Callable[[dict], "dict | None"]


class _Unsure(Exception):
    """Not certainly valid: marshmallow decides."""


class _Uncompilable(Exception):
    """A schema or field the check cannot mirror exactly."""


def compile_check(schema: Schema) -> DataCheck | None:
    """The check of `schema`'s data: data → the same dict as schema.dump(schema.load(data)), or
    None when marshmallow must decide. None when the schema cannot be mirrored."""
    try:
        check = _schema_check(schema)
    except _Uncompilable:
        return None

    def check_data(data: dict) -> dict | None:
        try:
            return check(data)
        except _Unsure:
            return None

    return check_data


def _schema_check(schema: Schema, unknown: str | None = None) -> Callable[[object], dict]:
    if schema.many or schema.partial or schema.only or schema.exclude:
        raise _Uncompilable("many, partial, only or exclude")
    hooks = {name for found in schema._hooks.values() for name, _, _ in found}
    if not hooks <= _KNOWN_HOOKS:
        raise _Uncompilable(f"hooks {sorted(hooks - _KNOWN_HOOKS)}")
    unknown = unknown or schema.unknown
    if unknown not in (RAISE, EXCLUDE):
        raise _Uncompilable(f"unknown={unknown}")
    checks = []
    for name, field in schema.fields.items():
        if field.data_key is not None or field.attribute is not None:
            raise _Uncompilable(f"{name}: a data key or attribute")
        if field.load_only or field.dump_only or field.dump_default is not missing:
            raise _Uncompilable(f"{name}: load only, dump only or a dump default")
        if field.load_default is not missing and field.load_default is not None:
            raise _Uncompilable(f"{name}: a load default other than None")
        absent = "skip" if field.load_default is missing else None  # None: output None
        checks.append((name, field.required, absent, field.allow_none, _field_check(field)))
    names = frozenset(schema.fields)
    refuse_unknown = unknown == RAISE

    def check(data) -> dict:
        if type(data) is not dict:
            raise _Unsure
        if not names.issuperset(data):
            if refuse_unknown:
                raise _Unsure
            for key in data.keys() - names:  # excluded, but the bounds walk sees them too
                _plain(key)
                _plain_value(data[key])
        out = {}
        for name, required, absent, allow_none, field_check in checks:
            value = data.get(name, missing)
            if value is missing:
                if required:
                    raise _Unsure
                if absent is None:
                    out[name] = None
            elif value is None:
                if not allow_none:
                    raise _Unsure
                out[name] = None
            else:
                out[name] = field_check(value)
        return out

    return check


def _field_check(field: fields.Field) -> Callable[[object], object]:
    """value (present, not None) → its dumped form; raises _Unsure."""
    if field.pre_load or field.post_load:
        raise _Uncompilable("field pre_load or post_load")
    valid = _validators_check(field.validators)
    kind = type(field)
    if kind in (fields.Nested, fields.List) and any(
        type(one) is not validate.Length for one in field.validators
    ):
        raise _Uncompilable("a collection's validator other than Length")  # they see the dump
    if kind is fields.String or kind is fields.Email:

        def load(value):
            if type(value) is not str:
                raise _Unsure
            _plain(value)
            return value

        dump = None
    elif kind is fields.Integer and not field.as_string:

        def load(value):
            if type(value) is not int or not INT64_MIN <= value <= INT64_MAX:
                raise _Unsure
            return value

        dump = None
    elif kind is fields.Boolean and (field.truthy, field.falsy) == _BOOLEAN_SETS:

        def load(value):
            if type(value) is not bool:
                raise _Unsure
            return value

        dump = None
    elif kind is fields.AwareDateTime and field.format in _ISO_FORMATS:
        if field.default_timezone is not None:
            raise _Uncompilable("a default time zone")
        load, dump = _aware_datetime, dt.datetime.isoformat
    elif kind is fields.Nested:
        if field.many or field.only or field.exclude or not isinstance(field.nested, type | Schema):
            raise _Uncompilable("a nested field other than one schema")
        load, dump = _schema_check(field.schema, field.unknown), None
    elif kind is fields.List:
        inner = _field_check(field.inner)  # None items: _Unsure, marshmallow decides

        def load(value):
            if type(value) is not list:
                raise _Unsure
            return [inner(item) for item in value]

        dump = None
    else:
        load, dump = _field_itself(field)
    if not valid:
        return load if dump is None else lambda value: dump(load(value))

    def check(value):
        loaded = load(value)
        for one in valid:
            one(loaded)
        return loaded if dump is None else dump(loaded)

    return check


def _aware_datetime(value) -> dt.datetime:
    if type(value) is str:
        _plain(value)
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise _Unsure from None
    elif type(value) is not dt.datetime:
        raise _Unsure
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise _Unsure
    return value


def _field_itself(field: fields.Field):
    """Any other field type (decimals): its own deserialize and serialize, after the bounds
    walk of the raw value."""

    def load(value):
        _plain_value(value)
        try:
            return field.deserialize(value)
        except ValidationError:
            raise _Unsure from None

    return load, lambda loaded: field._serialize(loaded, None, None)


def _validators_check(validators) -> list[Callable[[object], None]]:
    """Each validator as a function raising _Unsure (Length, OneOf, Range written out)."""
    checks = []
    for one in validators:
        kind = type(one)
        if kind is validate.Length:
            low, high, equal = one.min, one.max, one.equal
            checks.append(_length(low, high, equal))
        elif kind is validate.OneOf:
            checks.append(_one_of(tuple(one.choices)))
        elif kind is validate.Range:
            checks.append(_range(one.min, one.max, one.min_inclusive, one.max_inclusive))
        else:
            checks.append(_called(one))
    return checks


def _length(low, high, equal):
    def check(value):
        length = len(value)
        if equal is not None:
            if length != equal:
                raise _Unsure
        elif (low is not None and length < low) or (high is not None and length > high):
            raise _Unsure

    return check


def _one_of(choices: tuple):
    def check(value):
        if value not in choices:
            raise _Unsure

    return check


def _range(low, high, low_inclusive: bool, high_inclusive: bool):
    def check(value):
        if low is not None and (value < low if low_inclusive else value <= low):
            raise _Unsure
        if high is not None and (value > high if high_inclusive else value >= high):
            raise _Unsure

    return check


def _called(validator):
    def check(value):
        try:
            validator(value)
        except ValidationError:
            raise _Unsure from None

    return check


def _plain(text) -> None:
    """The bounds walk on one string: no NUL, no lone surrogate."""
    if type(text) is not str or "\x00" in text or not (text.isascii() or not text_problem(text)):
        raise _Unsure


def _plain_value(value) -> None:
    """The bounds walk on a value the check does not read field by field: only flat values it
    knows exactly."""
    kind = type(value)
    if kind is str:
        _plain(value)
    elif kind is int:
        if not INT64_MIN <= value <= INT64_MAX:
            raise _Unsure
    elif not (kind is bool or kind is Decimal or value is None):
        raise _Unsure
