"""The portal's way to the notify service's public HTTP API (see service_api), always with the
signed-in person's access token."""

from __future__ import annotations

from services.portal.service_api import ServiceApi


class NotifyApi(ServiceApi):
    # --- for operators ---------------------------------------------------------------------

    def dead_letters(self, token: str, cursor: str | None = None, limit: int = 50) -> dict:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        return self._call("GET", "/v1/admin/dead-letters", token, params=params)
