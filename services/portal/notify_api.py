"""The portal's way to the notify service's public HTTP API (see service_api), always with the
signed-in person's access token."""

from __future__ import annotations

from services.portal.service_api import ServiceApi


class NotifyApi(ServiceApi):
    # --- the licensee's watches: a core (every version) or a vendor ---------------------------

    def watches(self, token: str) -> list[dict]:
        return self._call("GET", "/v1/watches", token)["items"]

    def watch(self, kind: str, target_id: str, token: str) -> dict:
        body = {"kind": kind, "target_id": target_id}
        return self._call("POST", "/v1/watches", token, json=body)

    def unwatch(self, watch_id: str, token: str) -> None:
        self._call("DELETE", f"/v1/watches/{watch_id}", token)
