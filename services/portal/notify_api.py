"""The portal's way to the notify service's public HTTP API (see service_api), always with the
signed-in person's access token, acting for the organisation the page is about."""

from __future__ import annotations

from services.portal.service_api import ServiceApi, acting_for


class NotifyApi(ServiceApi):
    # --- webhook endpoints, their deliveries and attempts -------------------------------------

    def endpoints(self, token: str, organisation_id: str) -> list[dict]:
        return self._call("GET", "/v1/endpoints", token, acting_for(organisation_id))["items"]

    def endpoint(self, token: str, organisation_id: str, endpoint_id: str) -> dict:
        path = f"/v1/endpoints/{endpoint_id}"
        return self._call("GET", path, token, acting_for(organisation_id))

    def create_endpoint(self, token: str, organisation_id: str, body: dict) -> dict:
        """The endpoint with its secret, which the service shows this once."""
        return self._call("POST", "/v1/endpoints", token, acting_for(organisation_id), json=body)

    def rotate_secret(self, token: str, organisation_id: str, endpoint_id: str) -> dict:
        path = f"/v1/endpoints/{endpoint_id}/secret/rotate"
        return self._call("POST", path, token, acting_for(organisation_id))

    def endpoint_deliveries(self, token: str, organisation_id: str, endpoint_id: str) -> dict:
        path = f"/v1/endpoints/{endpoint_id}/deliveries"
        return self._call("GET", path, token, acting_for(organisation_id), params={"limit": 50})

    def delivery_attempts(self, token: str, organisation_id: str, delivery_id: str) -> list:
        path = f"/v1/deliveries/{delivery_id}/attempts"
        return self._call("GET", path, token, acting_for(organisation_id))["items"]

    def replay_delivery(self, token: str, organisation_id: str, delivery_id: str) -> dict:
        path = f"/v1/deliveries/{delivery_id}/replay"
        return self._call("POST", path, token, acting_for(organisation_id))

    def send_test_event(self, token: str, organisation_id: str, endpoint_id: str) -> dict:
        """The queued delivery of an ipmarket.webhook.test.v1 event to the endpoint."""
        path = f"/v1/endpoints/{endpoint_id}/test"
        return self._call("POST", path, token, acting_for(organisation_id))

    # --- notification preferences -------------------------------------------------------------

    def preferences(self, token: str, organisation_id: str) -> dict:
        """Per notice type: {"email": bool, "webhook": bool}."""
        return self._call("GET", "/v1/preferences", token, acting_for(organisation_id))

    def set_preference(
        self, token: str, organisation_id: str, notice_type: str, email: bool, webhook: bool
    ) -> dict:
        body = {"email": email, "webhook": webhook}
        path = f"/v1/preferences/{notice_type}"
        return self._call("PUT", path, token, acting_for(organisation_id), json=body)

    # --- for operators ---------------------------------------------------------------------

    def dead_letters(self, token: str, cursor: str | None = None, limit: int = 50) -> dict:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        return self._call("GET", "/v1/admin/dead-letters", token, params=params)

    # --- the licensee's watches: a core (every version) or a vendor ---------------------------

    def watches(self, token: str) -> list[dict]:
        return self._call("GET", "/v1/watches", token)["items"]

    def watch(self, kind: str, target_id: str, token: str) -> dict:
        body = {"kind": kind, "target_id": target_id}
        return self._call("POST", "/v1/watches", token, json=body)

    def unwatch(self, watch_id: str, token: str) -> None:
        self._call("DELETE", f"/v1/watches/{watch_id}", token)
