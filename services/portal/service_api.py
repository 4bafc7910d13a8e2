"""The portal's way to the services: their public HTTP APIs, the ones an integrator uses, with
the signed-in person's access token when there is one. The portal keeps no data of its own; one
client per service (catalog_api, licensing_api, notify_api, deliverables_api) on this base.

httpx's requests, answers and transports rather than requests': a pluggable transport (tests
hand it a WSGI app or a mock without sockets; in production, gevent_transport.py's connection
pool per service and process, with separate connect and read time-outs) and typed errors for a
service that does not answer. Requests go straight to the transport, not through
`httpx.Client`: the client's URL merging, redirect and auth loops and cookie jar cost a third
of a search page's CPU (bench/portal.py), and a jar shared by a process would carry one
person's cookies into another's calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import httpx
import orjson

from services.portal.gevent_transport import GeventTransport

TIMEOUT = httpx.Timeout(10.0, connect=3.0)
HEADERS = {"Accept": "application/json", "User-Agent": "ipmarket-portal"}
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
    rendered from it may be kept by them, rendered_fragments.py). The bytes are parsed when
    `data` is first asked for: a page kept by them needs no parsing."""

    body: bytes

    @cached_property
    def data(self) -> dict:
        return orjson.loads(self.body) if self.body else {}  # 204: done, nothing to say


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


def headers_with(token: str | None, headers: dict | None) -> dict[str, str]:
    headers = {**HEADERS, **(headers or {})}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def answer_of(response: httpx.Response) -> Answer:
    """The service's JSON answer, or its refusal raised as ApiProblem."""
    if response.status_code >= 400:
        raise _problem(response)
    return Answer(response.content)


class ServiceApi:
    def __init__(self, base_url: str, transport: httpx.BaseTransport | None = None):
        self._base_url = base_url.rstrip("/")
        self._transport = transport or GeventTransport(self._base_url, TIMEOUT)
        self._timeout = {"timeout": TIMEOUT.as_dict()}

    def close(self) -> None:
        self._transport.close()

    def _call(
        self, method: str, path: str, token: str | None = None, headers=None, **kwargs
    ) -> dict:
        return self._answer(method, path, token, headers, **kwargs).data

    def _answer(
        self, method: str, path: str, token: str | None = None, headers=None, **kwargs
    ) -> Answer:
        return answer_of(self._send(method, path, headers_with(token, headers), **kwargs))

    def _send(self, method: str, path: str, headers: dict, **kwargs) -> httpx.Response:
        """The service's answer, read whole; a 5xx or no answer is ServiceUnavailable."""
        request = httpx.Request(
            method, self._base_url + path, headers=headers, extensions=self._timeout, **kwargs
        )
        try:
            response = self._transport.handle_request(request)
            response.request = request  # as httpx.Client does: what was asked, for its cookies
            try:
                response.read()
            finally:
                response.close()  # the connection goes back to the pool, or is dropped
        except httpx.TransportError as error:
            raise ServiceUnavailable(str(error)) from error
        if response.status_code >= 500:
            raise ServiceUnavailable(f"{method} {path} answered {response.status_code}")
        return response
