"""A core version's life: draft → published → deprecated → withdrawn, and what each state lets
change."""

from __future__ import annotations

import enum

from shared.errors import Conflict, Invalid


class CoreStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    DEPRECATED = "deprecated"
    WITHDRAWN = "withdrawn"


STATUSES = tuple(status.value for status in CoreStatus)
# Transition → (the statuses it leads from, the status it leads to).
TRANSITIONS = {
    "publish": ({"draft"}, "published"),
    "deprecate": ({"published"}, "deprecated"),
    "withdraw": ({"published", "deprecated"}, "withdrawn"),
}
# What may still change once a version is published; anything else needs a new version.
MUTABLE_WHEN_PUBLISHED = ("offers", "targets", "documents", "description_en", "description_zh")


def status_after(status: str, transition: str) -> str:
    """The status `transition` leads to from `status`, or Conflict."""
    sources, target = TRANSITIONS[transition]
    if status not in sources:
        raise Conflict(f"a {status} core cannot be {target}", field="status")
    return target


def check_changeable(status: str) -> None:
    if status == CoreStatus.WITHDRAWN:
        raise Conflict("a withdrawn core no longer changes", field="status")


def check_frozen_fields(status: str, changes: dict, current: dict) -> None:
    """A published (or later) version changes only MUTABLE_WHEN_PUBLISHED; `current` holds the
    version's present value of each changed field."""
    if status == CoreStatus.DRAFT:
        return
    frozen = sorted(
        name
        for name in changes
        if name not in MUTABLE_WHEN_PUBLISHED and changes[name] != current[name]
    )
    if frozen:
        raise Conflict(
            f"{frozen[0]} of a published version is immutable: publish a new version instead",
            field=frozen[0],
        )


def check_publishable(core) -> None:
    """What a licensee and the licensing service need before a core can be offered (`core` is
    anything with the core's fields as attributes)."""
    if not core.category:
        raise Invalid("a published core has a category", field="category")
    if not core.eccn:
        raise Invalid("a published core has an export-control classification (ECCN)", field="eccn")
    if not core.deliverable_kinds:
        raise Invalid("a published core names its deliverable kinds", field="deliverable_kinds")
    if not core.offers:
        raise Invalid("a published core has at least one license offer", field="offers")
