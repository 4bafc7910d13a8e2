"""Optimistic concurrency: the ETag of an organisation or core is its version number, and an
update says (If-Match, RFC 9110) which version it was made from."""

from __future__ import annotations

import re

from shared.errors import PreconditionFailed, PreconditionRequired

ENTITY_TAG = re.compile(r'(?:W/)?"(\d{1,18})"')


def etag_of(version: int) -> str:
    return f'"{version}"'


def check_version(current: int, if_match: str | None, *, required: bool = False) -> None:
    """If-Match must name the version the client read, or be `*`. Checked once the caller is
    known to own the resource, so that a stranger learns nothing from it."""
    if if_match is None:
        if required:
            raise PreconditionRequired("send If-Match with the ETag you read", field="If-Match")
        return
    tags = [tag.strip() for tag in if_match.split(",")]
    if "*" in tags:
        return
    named = {int(m.group(1)) for m in (ENTITY_TAG.fullmatch(t) for t in tags) if m}
    if not named:
        raise PreconditionFailed(
            f"If-Match {if_match!r} names no version of this resource", field="If-Match"
        )
    if current not in named:
        raise PreconditionFailed(
            f"the resource changed since you read it (version {current}, If-Match names "
            f"{', '.join(map(str, sorted(named)))}); read it again and retry",
            field="If-Match",
        )
