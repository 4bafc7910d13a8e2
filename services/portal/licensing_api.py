"""The portal's way to the licensing service's public HTTP API (see service_api), always with the
signed-in person's access token, acting for the organisation the page is about (a person may
belong to several: the Ipmarket-Organisation header names which)."""

from __future__ import annotations

from services.portal.service_api import ServiceApi, _problem, headers_with
from services.portal.service_api import acting_for as _acting_for


class LicensingApi(ServiceApi):
    # --- license requests ---------------------------------------------------------------------

    def license_requests(
        self, token: str, organisation_id: str, state: str | None = None, cursor: str | None = None
    ) -> dict:
        """Those for the organisation's cores (not those it made as a licensee)."""
        params = {"limit": "100", "vendor_id": organisation_id}
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
        """Those the organisation issued (not those it holds)."""
        params = {"limit": "100", "vendor_id": organisation_id}
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

    # --- the vendor's quotes and orders -------------------------------------------------------

    def quotes_to_price(self, token: str, organisation_id: str, state: str | None = None) -> dict:
        """The quotes asked of the organisation as the vendor."""
        params = _given({"limit": "100", "vendor_id": organisation_id, "state": state})
        return self._call("GET", "/v1/quotes", token, _acting_for(organisation_id), params=params)

    def quote_to_price(self, token: str, organisation_id: str, quote_id: str) -> dict:
        return self._call("GET", f"/v1/quotes/{quote_id}", token, _acting_for(organisation_id))

    def send_quote(self, token: str, organisation_id: str, quote_id: str, body: dict) -> dict:
        """`body`: amount, currency, terms, valid_until (the price sent, or a revision)."""
        path = f"/v1/quotes/{quote_id}/send"
        return self._call("POST", path, token, _acting_for(organisation_id), json=body)

    def reject_quote(self, token: str, organisation_id: str, quote_id: str, reason: str) -> dict:
        """The vendor will not quote (or takes back a quote not yet answered), saying why."""
        path = f"/v1/quotes/{quote_id}/reject"
        body = {"reason": reason}
        return self._call("POST", path, token, _acting_for(organisation_id), json=body)

    def orders_received(self, token: str, organisation_id: str, state: str | None = None) -> dict:
        """The orders placed with the organisation as the vendor."""
        params = _given({"limit": "100", "vendor_id": organisation_id, "state": state})
        return self._call("GET", "/v1/orders", token, _acting_for(organisation_id), params=params)

    def order_received(self, token: str, organisation_id: str, order_id: str) -> dict:
        return self._call("GET", f"/v1/orders/{order_id}", token, _acting_for(organisation_id))

    def refund_order(self, token: str, organisation_id: str, order_id: str, reason: str) -> dict:
        path = f"/v1/orders/{order_id}/refund"
        body = {"reason": reason}
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

    # --- the licensee's side: requests, quotes, orders, licenses ------------------------------

    def request_license(self, body: dict, idempotency_key: str, token: str) -> dict:
        headers = {"Idempotency-Key": idempotency_key}
        return self._call("POST", "/v1/license-requests", token, headers=headers, json=body)

    def requests_made(self, token: str, **params) -> dict:
        return self._call("GET", "/v1/license-requests", token, params=_given(params))

    def request_made(self, request_id: str, token: str) -> dict:
        return self._call("GET", f"/v1/license-requests/{request_id}", token)

    def request_quote(self, body: dict, token: str) -> dict:
        return self._call("POST", "/v1/quotes", token, json=body)

    def quotes(self, token: str, **params) -> dict:
        return self._call("GET", "/v1/quotes", token, params=_given(params))

    def quote(self, quote_id: str, token: str) -> dict:
        return self._call("GET", f"/v1/quotes/{quote_id}", token)

    def accept_quote(self, quote_id: str, token: str) -> dict:
        return self._call("POST", f"/v1/quotes/{quote_id}/accept", token, json={})

    def decline_quote(self, quote_id: str, reason: str | None, token: str) -> dict:
        body = {"reason": reason} if reason else {}
        return self._call("POST", f"/v1/quotes/{quote_id}/decline", token, json=body)

    def place_order(self, request_id: str, idempotency_key: str, token: str) -> dict:
        headers = {"Idempotency-Key": idempotency_key}
        body = {"request_id": request_id}
        return self._call("POST", "/v1/orders", token, headers=headers, json=body)

    def orders(self, token: str, **params) -> dict:
        return self._call("GET", "/v1/orders", token, params=_given(params))

    def order(self, order_id: str, token: str) -> dict:
        return self._call("GET", f"/v1/orders/{order_id}", token)

    def invoice_html(self, order_id: str, language: str, token: str) -> str:
        return self._text(f"/v1/orders/{order_id}/invoice.html", token, params={"lang": language})

    def licenses_held(self, token: str, **params) -> dict:
        return self._call("GET", "/v1/licenses", token, params=_given(params))

    def license(self, license_id: str, token: str) -> dict:
        return self._call("GET", f"/v1/licenses/{license_id}", token)

    def license_file(self, license_id: str, token: str) -> str:
        return self._text(f"/v1/licenses/{license_id}/file", token)

    def _text(self, path: str, token: str, params: dict | None = None) -> str:
        """A document the API answers as text (a license file, an invoice), not JSON."""
        response = self._send("GET", path, headers_with(token, {"Accept": "*/*"}), params=params)
        if response.status_code >= 400:
            raise _problem(response)
        return response.text


def _given(params: dict) -> dict:
    return {name: value for name, value in params.items() if value not in (None, "")}
