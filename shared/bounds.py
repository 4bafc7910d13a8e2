"""Bounds on input that every service and every store can hold.

What one service accepts it may publish, and what it publishes every consumer must store: a
value no PostgreSQL column or consumer can hold (a NUL character, a lone surrogate, an integer
past 64 bits, JSON nested a thousand deep) is refused at the edge, naming where it was, never
passed on to fail later as a 500 or a dead letter. Field lengths are bounded in the API and
event schemas with the constants below, which the consumers' columns hold.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from contextvars import ContextVar

import marshmallow
from marshmallow import ValidationError, validates_schema

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
VERSION_MAX = 2**31 - 1  # record versions are stored as INTEGER
MAX_JSON_DEPTH = 32  # our deepest document nests 4 levels
MAX_ID = 36  # ids are UUID strings; every projection keys on String(36)
MAX_EMAIL = 254  # RFC 5321's longest path; notify stores addresses in String(320)
MAX_URL = 2000
MAX_NAME = 300
MAX_TEXT = 2000
MAX_CODE = 64  # identifiers of rules, offers, standards, foundries
MAX_LIST = 50
MAX_NOTICES = 100  # a contact's notice choices: "all", groups and event types
# Amounts: below 10**13 in major units (licensing.money.MAXIMUM), so minor units fit a BIGINT.
MAX_AMOUNT = "9999999999999.99"


class HostileInput(ValueError):
    """A decoded value no store can hold; `field` is its dotted path ("" for the whole)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field or 'body'}: {message}")
        self.field = field or "body"
        self.message = message


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored as text (PostgreSQL refuses NUL; UTF-8 has no lone
    surrogates, which JSON's \\ud800 escapes can carry), or None."""
    if "\x00" in text:
        return "must not contain NUL characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "must not contain lone surrogates (not valid Unicode)"
    return None


def _storable(value, depth: int, max_depth: int) -> bool:
    """True when `value` certainly holds nothing hostile_value refuses: the check every JSON
    body and every event's data passes, several times a request, so it builds no paths and
    skips the encoding of ASCII text (str.isascii reads a flag). False also for any type it does
    not know exactly (a bool is an int, a MultiDict a Mapping): hostile_value then walks it.
    Recursive, but never deeper than `max_depth`."""
    kind = type(value)
    if kind is str:
        return "\x00" not in value and (value.isascii() or text_problem(value) is None)
    if kind is int:
        return INT64_MIN <= value <= INT64_MAX
    if kind is bool or value is None:
        return True
    if kind is float:
        return math.isfinite(value)
    if kind is dict:
        if depth >= max_depth:
            return False
        for key, item in value.items():
            if (
                type(key) is not str
                or "\x00" in key
                or not (key.isascii() or text_problem(key) is None)
            ):
                return False
            if not _storable(item, depth + 1, max_depth):
                return False
        return True
    if kind is list:
        if depth >= max_depth:
            return False
        for item in value:
            if not _storable(item, depth + 1, max_depth):
                return False
        return True
    return False


def hostile_value(value, *, max_depth: int = MAX_JSON_DEPTH) -> tuple[str, str] | None:
    """The first (dotted path, reason) of a decoded JSON value that no store can hold, or None.
    Iterative, so that depth costs no Python stack."""
    if _storable(value, 0, max_depth):
        return None  # the common case, found without naming a path
    stack = [(value, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                return path, problem
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int):
            if not INT64_MIN <= value <= INT64_MAX:
                return path, "must be a 64-bit integer"
        elif isinstance(value, float):
            if not math.isfinite(value):
                return path, "must be a finite number"
        elif isinstance(value, Mapping | list):
            if depth >= max_depth:
                return path, f"nests deeper than {max_depth} levels"
            items = value.items() if isinstance(value, Mapping) else enumerate(value)
            for key, item in items:
                key = str(key)
                problem = text_problem(key)
                if problem:
                    return path, f"a key {problem}"
                stack.append((item, f"{path}.{key}" if path else key, depth + 1))
    return None


def _refuse_constant(name: str):
    raise HostileInput("", f"{name} is not JSON")


def loads(data: bytes | str):
    """json.loads that refuses what hostile_value refuses (HostileInput), whatever the depth;
    malformed JSON raises json.JSONDecodeError as json.loads does."""
    if isinstance(data, bytes | bytearray):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise json.JSONDecodeError(f"not UTF-8: {exc.reason}", "", exc.start) from None
    try:
        doc = json.loads(data, parse_constant=_refuse_constant)
    except RecursionError:
        raise HostileInput("", f"nests deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError | HostileInput):
            raise
        raise HostileInput("", str(exc)) from None  # e.g. an integer of 5,000 digits
    found = hostile_value(doc)
    if found:
        raise HostileInput(*found)
    return doc


# Set while a bounds.Schema loads: the data of its nested schemas was walked with it.
_within_checked_load: ContextVar[bool] = ContextVar("within_checked_load", default=False)


class Schema(marshmallow.Schema):
    """marshmallow's Schema refusing, naming the field, any string with NUL or a lone surrogate
    and any integer past 64 bits (query strings and events as well as JSON bodies).

    The data is walked once, by the outermost schema, before its pre_load hooks: a nested
    schema's data is part of what was walked (an event's data, nested twice, was walked three
    times per load). So a hook must not load other data through a bounds.Schema (none does):
    that load would not be walked."""

    def load(self, data, *, many=None, partial=None, unknown=None):
        if _within_checked_load.get():
            return super().load(data, many=many, partial=partial, unknown=unknown)
        self._refuse_hostile_values(data, many, partial)
        token = _within_checked_load.set(True)
        try:
            return super().load(data, many=many, partial=partial, unknown=unknown)
        finally:
            _within_checked_load.reset(token)

    def validate(self, data, *, many=None, partial=None):
        if not _within_checked_load.get():
            try:
                self._refuse_hostile_values(data, many, partial)
            except ValidationError as exc:
                return exc.messages
        return super().validate(data, many=many, partial=partial)

    def _refuse_hostile_values(self, data, many, partial) -> None:
        many = self.many if many is None else bool(many)
        for item in data if many and isinstance(data, list) else [data]:
            found = hostile_value(item) if isinstance(item, Mapping) else None
            if found:
                error = ValidationError({found[0] or "_schema": [found[1]]}, data=data)
                self.handle_error(
                    error, data, many=many, partial=self.partial if partial is None else partial
                )
                raise error

    @validates_schema
    def _refuse_integers_past_64_bits(self, data, **_):
        for name, value in data.items():
            if (
                isinstance(value, int)
                and not isinstance(value, bool)
                and not (INT64_MIN <= value <= INT64_MAX)
            ):
                raise ValidationError("must be a 64-bit integer", name)
