"""The end-use countries a licensee chooses from: every assigned ISO 3166-1 alpha-2 code, the
list the licensing service checks against (shared/countries.py, pycountry's)."""

from __future__ import annotations

from functools import cache

import pycountry


@cache
def country_codes() -> tuple[str, ...]:
    return tuple(sorted(country.alpha_2 for country in pycountry.countries))
