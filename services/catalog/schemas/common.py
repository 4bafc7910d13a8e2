"""What the catalog's schemas share: field validators, and the shape of every list
({"items": [...], "next": cursor or null})."""

from __future__ import annotations

from marshmallow import fields, validate

from shared.bounds import Schema
from shared.countries import CountryCode

SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="must be a lower-case hex SHA-256 digest")
COUNTRY = CountryCode()
# Some character that is not white space, read alike by Python (re.match, anchored) and by JSON
# Schema (an ECMA search): both engines' \s differ beyond these six, so they are spelt out.
NOT_BLANK = validate.Regexp(r"^[ \t\n\r\f\v]*[^ \t\n\r\f\v]", error="must not be blank")
URL = validate.Regexp(
    r"^https?://[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,63}"
    r"(?::[0-9]{1,5})?(?:[/?#][^\s]*)?$",
    error="must be an http(s) URL",
)
VLNV_PART = validate.Regexp(
    r"^[A-Za-z0-9_.\-]+$",
    error=("VLNV parts are letters, digits, '_', '.' and '-' (IP-XACT names)"),
)


def Name(**kwargs) -> fields.String:  # noqa: N802 - used like a field class
    return fields.String(validate=validate.Length(min=1, max=300), **kwargs)


MAX_PAGE = 100


class ListArgsSchema(Schema):
    """?limit=&cursor= of a list: `next` of one page is the `cursor` of the next."""

    cursor = fields.String(validate=validate.Length(max=500))
    limit = fields.Integer(load_default=MAX_PAGE, validate=validate.Range(min=1, max=MAX_PAGE))


_pages: dict = {}


def page_schema(item: type[Schema]) -> type[Schema]:
    """The schema of a page of `item`s: {"items": [...], "next": opaque cursor or null}."""
    if item not in _pages:
        name = item.__name__.removesuffix("Schema") + "PageSchema"
        _pages[item] = type(
            name,
            (Schema,),
            {
                "items": fields.List(fields.Nested(item), required=True),
                "next": fields.String(
                    allow_none=True,
                    required=True,
                    metadata={
                        "description": "The cursor of the next page (pass it as ?cursor=), or null "
                        "on the last page."
                    },
                ),
            },
        )
    return _pages[item]
