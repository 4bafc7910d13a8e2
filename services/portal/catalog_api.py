"""The portal's way to the catalog: its public HTTP API, the one an integrator uses, with the
signed-in person's access token when there is one. The portal keeps no catalog data of its own.

httpx rather than requests: one pooled client per process with separate connect and read
time-outs, a pluggable transport (tests hand it a WSGI app or a mock without sockets), and
typed errors for a service that does not answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

TIMEOUT = httpx.Timeout(10.0, connect=3.0)


@dataclass
class ApiProblem(Exception):
    """An RFC 9457 problem the service answered; `errors` maps a field to its messages."""

    status: int
    title: str = ""
    detail: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    retry_after: int | None = None


class ServiceUnavailable(Exception):
    """The service did not answer (down, refused, timed out)."""


def _problem(response: httpx.Response) -> ApiProblem:
    try:
        body = response.json()
    except ValueError:
        body = {}
    errors: dict[str, list[str]] = {}
    for error in body.get("errors") or ():
        errors.setdefault(error.get("field") or "", []).append(error.get("message", ""))
    retry = response.headers.get("Retry-After")
    return ApiProblem(
        response.status_code,
        body.get("title", ""),
        body.get("detail", ""),
        errors,
        int(retry) if retry and retry.isdigit() else None,
    )


class CatalogApi:
    def __init__(self, base_url: str, transport: httpx.BaseTransport | None = None):
        self._http = httpx.Client(
            base_url=base_url,
            timeout=TIMEOUT,
            transport=transport,
            headers={"Accept": "application/json"},
        )

    def close(self) -> None:
        self._http.close()

    def _call(
        self, method: str, path: str, token: str | None = None, headers=None, **kwargs
    ) -> dict:
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            response = self._http.request(method, path, headers=headers, **kwargs)
        except httpx.TransportError as error:
            raise ServiceUnavailable(str(error)) from error
        if response.status_code >= 500:
            raise ServiceUnavailable(f"{method} {path} answered {response.status_code}")
        if response.status_code >= 400:
            raise _problem(response)
        return response.json()

    # --- the storefront (anyone; drafts only for their vendor) -----------------------------

    def search(self, params: list[tuple[str, str]], token: str | None = None) -> dict:
        return self._call("GET", "/v1/cores", token, params=params)

    def core(self, core_id: str, token: str | None = None) -> dict:
        return self._call("GET", f"/v1/cores/{core_id}", token)

    def versions(self, core_id: str, token: str | None = None) -> list[dict]:
        return self._call("GET", f"/v1/cores/{core_id}/versions", token)["items"]

    def taxonomy(self) -> dict:
        return self._call("GET", "/v1/cores/taxonomy")

    # --- signing in -------------------------------------------------------------------------

    def sign_in(self, email: str, password: str, client: dict[str, str]) -> dict:
        return self._call(
            "POST", "/v1/sessions", json={"email": email, "password": password}, headers=client
        )

    def second_factor(self, second_factor_token: str, code: str, client: dict[str, str]) -> dict:
        body = {"second_factor_token": second_factor_token, "code": code}
        return self._call("POST", "/v1/sessions/second-factor", json=body, headers=client)

    def refresh(self, refresh_token: str) -> dict:
        return self._call("POST", "/v1/sessions/refresh", json={"refresh_token": refresh_token})

    # --- the person's own account -------------------------------------------------------------

    def me(self, token: str) -> dict:
        return self._call("GET", "/v1/people/me", token)

    def end_session(self, session_id: str, token: str) -> dict:
        return self._call("DELETE", f"/v1/people/me/sessions/{session_id}", token)

    def organisation(self, organisation_id: str, token: str) -> dict:
        return self._call("GET", f"/v1/organisations/{organisation_id}", token)
