"""Whose resources the caller may see."""

from __future__ import annotations

from shared.http.auth import current_principal


def owner_or_admin() -> str | None:
    """The caller's organisation; None for an admin, who may look at any organisation's."""
    principal = current_principal()
    return None if principal.is_admin else principal.organisation_id


def own_organisation() -> str:
    return current_principal().organisation_id
