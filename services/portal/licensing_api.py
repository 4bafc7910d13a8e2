"""The portal's way to the licensing service's public HTTP API (see service_api), always with the
signed-in person's access token."""

from __future__ import annotations

import httpx

from services.portal.service_api import ServiceApi, ServiceUnavailable, _problem


class LicensingApi(ServiceApi):
    # --- the licensee's side: requests, quotes, orders, licenses ------------------------------

    def request_license(self, body: dict, idempotency_key: str, token: str) -> dict:
        headers = {"Idempotency-Key": idempotency_key}
        return self._call("POST", "/v1/license-requests", token, headers=headers, json=body)

    def license_requests(self, token: str, **params) -> dict:
        return self._call("GET", "/v1/license-requests", token, params=_given(params))

    def license_request(self, request_id: str, token: str) -> dict:
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

    def licenses(self, token: str, **params) -> dict:
        return self._call("GET", "/v1/licenses", token, params=_given(params))

    def license(self, license_id: str, token: str) -> dict:
        return self._call("GET", f"/v1/licenses/{license_id}", token)

    def license_file(self, license_id: str, token: str) -> str:
        return self._text(f"/v1/licenses/{license_id}/file", token)

    def _text(self, path: str, token: str, params: dict | None = None) -> str:
        """A document the API answers as text (a license file, an invoice), not JSON."""
        try:
            response = self._http.get(
                path, params=params, headers={"Authorization": f"Bearer {token}", "Accept": "*/*"}
            )
        except httpx.TransportError as error:
            raise ServiceUnavailable(str(error)) from error
        if response.status_code >= 500:
            raise ServiceUnavailable(f"GET {path} answered {response.status_code}")
        if response.status_code >= 400:
            raise _problem(response)
        return response.text


def _given(params: dict) -> dict:
    return {name: value for name, value in params.items() if value not in (None, "")}
