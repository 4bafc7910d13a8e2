"""The portal's calls to the services, carried by geventhttpclient's connection pool behind
httpx's transport interface (tests hand ServiceApi transports of their own; the calls, their
answers and their errors are httpx's whatever carries them).

The portal is served by gevent workers (`ipmarket serve`), and each page makes one or two calls
to a service. Through httpx's own transport (httpcore, with h11 parsing each answer in pure
Python) a call cost ~1 ms of the portal's CPU, half of a core page; geventhttpclient, made for
gevent (its sockets, a C parser), takes ~0.45 ms (bench/portal.py, docs/performance.md). Like
httpcore, its pool checks that a kept connection is still open before reusing it, and it
sends a request again on a new connection only if its method is idempotent.
"""

from __future__ import annotations

import httpx
from geventhttpclient import HTTPClient
from geventhttpclient.header import Headers
from geventhttpclient.response import HTTPParseError

CONNECTIONS = 100  # at most, per service and process: httpx's own limit
READ_SIZE = 64 * 1024  # a search's answer in one or two reads, not eight


class GeventTransport(httpx.BaseTransport):
    def __init__(self, base_url: str, timeout: httpx.Timeout):
        url = httpx.URL(base_url)
        self._pool = HTTPClient(
            url.host,
            url.port,
            ssl=url.scheme == "https",
            connection_timeout=timeout.connect,
            network_timeout=timeout.read,
            concurrency=CONNECTIONS,
            block_size=READ_SIZE,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        headers = Headers()
        for name, value in request.headers.raw:  # as written, as httpx would send them
            headers.add(name.decode("latin-1"), value.decode("latin-1"))
        try:
            answer = self._pool.request(
                request.method, request.url.raw_path.decode("ascii"), request.read(), headers
            )
            try:
                body = answer.read()
            finally:
                answer.release()  # back to the pool when the answer was read whole, else closed
        except TimeoutError as error:
            raise httpx.ReadTimeout(str(error) or "timed out", request=request) from error
        except HTTPParseError as error:
            raise httpx.RemoteProtocolError(str(error), request=request) from error
        except OSError as error:
            raise httpx.NetworkError(str(error), request=request) from error
        except ValueError as error:  # a header value no request may carry
            raise httpx.LocalProtocolError(str(error), request=request) from error
        return httpx.Response(
            answer.status_code, headers=list(answer.items()), content=body, request=request
        )

    def close(self) -> None:
        self._pool.close()
