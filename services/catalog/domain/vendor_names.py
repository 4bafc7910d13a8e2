"""VLNV vendor names ("arm.com"): what a claim of one may be, and how names compare."""

from __future__ import annotations

import enum
import re

from shared.errors import Invalid

NAME = re.compile(r"[A-Za-z0-9_.\-]{1,128}")


class ClaimStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


STATUSES = tuple(status.value for status in ClaimStatus)
DECISIONS = (ClaimStatus.CONFIRMED.value, ClaimStatus.DECLINED.value)


def normalised(name: str) -> str:
    """VLNV vendor names are (mostly) domain names, which ignore case."""
    return name.strip().lower()


def checked_name(name: str) -> str:
    """The name as it is claimed (normalised), or Invalid."""
    if not NAME.fullmatch(name.strip()):
        raise Invalid(
            "a VLNV vendor name is letters, digits, '_', '.' and '-' (e.g. a domain "
            "name such as example.com)",
            field="name",
        )
    return normalised(name)


def may_claim_again(status: str) -> bool:
    """A declined claim may be made again; a pending or confirmed one stands."""
    return status == ClaimStatus.DECLINED
