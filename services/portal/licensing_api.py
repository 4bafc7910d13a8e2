"""The portal's way to the licensing service's public HTTP API (see service_api), always with the
signed-in person's access token, acting for the organisation the page is about (a person may
belong to several: the Ipmarket-Organisation header names which)."""

from __future__ import annotations

from services.portal.service_api import ServiceApi
from services.portal.service_api import acting_for as _acting_for


class LicensingApi(ServiceApi):
    # --- license requests ---------------------------------------------------------------------

    def license_requests(
        self, token: str, organisation_id: str, state: str | None = None, cursor: str | None = None
    ) -> dict:
        params = {"limit": "100"}
        if state:
            params["state"] = state
        if cursor:
            params["cursor"] = cursor
        return self._call(
            "GET", "/v1/license-requests", token, _acting_for(organisation_id), params=params
        )

    def license_request(self, token: str, organisation_id: str, request_id: str) -> dict:
        path = f"/v1/license-requests/{request_id}"
        return self._call("GET", path, token, _acting_for(organisation_id))

    def decide_request(
        self, token: str, organisation_id: str, request_id: str, decision: str, comment: str
    ) -> dict:
        """`decision`: approve or reject (a rejection needs its comment)."""
        body = {"comment": comment} if comment else {}
        path = f"/v1/license-requests/{request_id}/{decision}"
        return self._call("POST", path, token, _acting_for(organisation_id), json=body)

    # --- licenses -----------------------------------------------------------------------------

    def licenses(
        self, token: str, organisation_id: str, state: str | None = None, cursor: str | None = None
    ) -> dict:
        params = {"limit": "100"}
        if state:
            params["state"] = state
        if cursor:
            params["cursor"] = cursor
        return self._call("GET", "/v1/licenses", token, _acting_for(organisation_id), params=params)

    def change_license(
        self, token: str, organisation_id: str, license_id: str, action: str, body: dict
    ) -> dict:
        """`action`: suspend, reinstate, revoke (each with a reason) or renew (months)."""
        path = f"/v1/licenses/{license_id}/{action}"
        return self._call("POST", path, token, _acting_for(organisation_id), json=body)

    # --- the export review (export reviewers) ----------------------------------------------

    def review_queue(
        self, token: str, state: str | None = None, cursor: str | None = None, limit: int = 50
    ) -> dict:
        params = {"limit": limit, **({"state": state} if state else {})}
        if cursor:
            params["cursor"] = cursor
        return self._call("GET", "/v1/license-requests", token, params=params)

    def reviewed_request(self, request_id: str, token: str) -> dict:
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
