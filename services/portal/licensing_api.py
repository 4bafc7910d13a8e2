"""The portal's way to the licensing service's public HTTP API (see service_api), always with the
signed-in person's access token."""

from __future__ import annotations

from services.portal.service_api import ServiceApi


class LicensingApi(ServiceApi):
    # --- the export review (export reviewers) ----------------------------------------------

    def license_requests(
        self, token: str, state: str | None = None, cursor: str | None = None, limit: int = 50
    ) -> dict:
        params = {"limit": limit, **({"state": state} if state else {})}
        if cursor:
            params["cursor"] = cursor
        return self._call("GET", "/v1/license-requests", token, params=params)

    def license_request(self, request_id: str, token: str) -> dict:
        return self._call("GET", f"/v1/license-requests/{request_id}", token)

    def review(self, request_id: str, outcome: str, comment: str, token: str) -> dict:
        body = {"outcome": outcome, "comment": comment}
        return self._call("POST", f"/v1/license-requests/{request_id}/review", token, json=body)

    # --- the export-screening rule sets (operators) ------------------------------------------

    def current_rule_set(self, token: str) -> dict:
        return self._call("GET", "/v1/screening/rules", token)

    def rule_set(self, version: int, token: str) -> dict:
        return self._call("GET", f"/v1/screening/rules/{version}", token)

    def publish_rule_set(self, body: dict, token: str) -> dict:
        return self._call("PUT", "/v1/screening/rules", token, json=body)
