"""Country fields: an assigned ISO 3166-1 alpha-2 code (pycountry's list), upper-cased. The one
check every service's API uses, so that "ZZ" is refused everywhere alike."""

from __future__ import annotations

import re

import pycountry
from marshmallow import ValidationError, validate

from shared.errors import Invalid


def assigned_country(value: object) -> str | None:
    """`value` upper-cased if it is an assigned alpha-2 code, else None."""
    if not isinstance(value, str) or len(value) != 2 or not value.isascii():
        return None
    code = value.upper()
    return code if pycountry.countries.get(alpha_2=code) is not None else None


def not_a_country(value: object) -> str:
    return f"{value!r} is not an assigned ISO 3166-1 alpha-2 country code"


def checked_country(value: str, field: str = "country") -> str:
    """The upper-cased code; anything else is refused as invalid input naming `field`."""
    code = assigned_country(value)
    if code is None:
        raise Invalid(not_a_country(value), field=field)
    return code


# Every assigned code, in either case: the OpenAPI document's pattern says exactly which, so that
# a client (or a fuzzer) reading it never sends a code the service then refuses.
ASSIGNED = "|".join(
    "".join(f"[{c}{c.lower()}]" for c in country.alpha_2)
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2)
)


class CountryCode(validate.Regexp):
    """Marshmallow validator of a country field (`wildcard`: also accept that one value). A
    Regexp, so that the OpenAPI document shows the pattern; the list of codes is then checked."""

    def __init__(self, wildcard: str | None = None):
        self.wildcard = wildcard
        either = f"{re.escape(wildcard)}|" if wildcard else ""
        super().__init__(rf"^({either}{ASSIGNED})$")

    def __call__(self, value: str) -> str:
        if value != self.wildcard and assigned_country(value) is None:
            raise ValidationError(
                not_a_country(value) + (f" or {self.wildcard!r}" if self.wildcard else "")
            )
        return value
