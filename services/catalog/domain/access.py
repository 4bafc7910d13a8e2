"""Who may see and change what: the catalog's visibility rules, on any principal that says which
organisation it acts for and whether it is the platform operator."""

from __future__ import annotations

from typing import Protocol


class Viewer(Protocol):
    organisation_id: str
    is_admin: bool


def may_see_core(viewer: Viewer | None, status: str, vendor_id: str) -> bool:
    """Other organisations see only published cores; the owner and the operator see all."""
    if status == "published":
        return True
    return viewer is not None and (viewer.is_admin or viewer.organisation_id == vendor_id)


def may_change_core(viewer: Viewer, vendor_id: str) -> bool:
    return viewer.is_admin or viewer.organisation_id == vendor_id


def may_see_organisation(viewer: Viewer, organisation_id: str) -> bool:
    """An organisation sees its own profile; the operator sees every one."""
    return viewer.is_admin or viewer.organisation_id == organisation_id
