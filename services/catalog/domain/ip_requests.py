"""The rules of a request for IP (a search found nothing; the vendors of a category are asked):
its category is one of the catalog's, it says what is needed, and its optional node and foundry
are short codes. Pure: the fields in, the cleaned fields out or Invalid naming the field."""

from __future__ import annotations

from services.catalog.domain.taxonomy import CATEGORIES
from shared import bounds
from shared.errors import Invalid

MIN_DESCRIPTION = 20  # "a PCIe PHY" alone gives a vendor nothing to quote on
MAX_DESCRIPTION = bounds.MAX_TEXT
MAX_CODE = bounds.MAX_CODE


def checked_request(
    *, category: str, description: str, node: str | None = None, foundry: str | None = None
) -> dict:
    """The request's fields, trimmed (an empty node or foundry is none)."""
    if category not in CATEGORIES:
        raise Invalid(f"{category!r} is not a category of the catalog", field="category")
    description = (description or "").strip()
    if len(description) < MIN_DESCRIPTION:
        raise Invalid(
            f"say what you need in at least {MIN_DESCRIPTION} characters", field="description"
        )
    if len(description) > MAX_DESCRIPTION:
        raise Invalid(f"at most {MAX_DESCRIPTION} characters", field="description")
    cleaned = {"category": category, "description": description}
    for name, value in (("node", node), ("foundry", foundry)):
        value = (value or "").strip() or None
        if value is not None and len(value) > MAX_CODE:
            raise Invalid(f"at most {MAX_CODE} characters", field=name)
        cleaned[name] = value
    return cleaned
