"""The portal's way to the services: their public HTTP APIs, the ones an integrator uses, with
the signed-in person's access token when there is one. The portal keeps no data of its own; one
client per service (catalog_api, licensing_api, notify_api, deliverables_api) on this base.

httpx rather than requests: one pooled client per process with separate connect and read
time-outs, a pluggable transport (tests hand it a WSGI app or a mock without sockets), and
typed errors for a service that does not answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

TIMEOUT = httpx.Timeout(10.0, connect=3.0)
# Which of the person's organisations a call acts for (the services' shared/access_tokens.py).
ORGANISATION_HEADER = "Ipmarket-Organisation"


def acting_for(organisation_id: str) -> dict[str, str]:
    return {ORGANISATION_HEADER: organisation_id}


@dataclass
class ApiProblem(Exception):
    """An RFC 9457 problem the service answered; `errors` maps a field to its messages."""

    status: int
    title: str = ""
    detail: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    retry_after: int | None = None


@dataclass(frozen=True)
class Answer:
    """A service's JSON answer and the bytes it came as: equal bytes, equal answer (what is
    rendered from it may be kept by them, rendered_fragments.py)."""

    data: dict
    body: bytes


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


class ServiceApi:
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
        return self._answer(method, path, token, headers, **kwargs).data

    def _answer(
        self, method: str, path: str, token: str | None = None, headers=None, **kwargs
    ) -> Answer:
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
        body = response.content
        return Answer(response.json() if body else {}, body)  # 204: done, nothing to say
