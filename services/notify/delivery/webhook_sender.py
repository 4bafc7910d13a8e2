"""Sending a webhook delivery: one signed POST (Standard Webhooks) over keep-alive connections
that every sending thread shares; redirects are failures, not followed."""

from __future__ import annotations

import time
from datetime import datetime

from urllib3 import Timeout
from urllib3.exceptions import HTTPError
from urllib3.util import parse_url

from services.notify import webhook_endpoints
from services.notify.delivery.jobs import Job, Outcome
from services.notify.domain.disabling import GONE
from services.notify.domain.retries import honoured_retry_after, is_success
from services.notify.domain.webhooks import webhook_body, webhook_headers
from services.notify.network_guard import RefusedAddress, guarded_pool_manager

RESPONSE_BYTES = 1024  # how much of an answer an attempt keeps
POOLS_KEPT = 10_000  # endpoint URLs whose pools are remembered


class WebhookSender:
    def __init__(self, *, connections_per_host: int, timeout_seconds: float):
        # One pool manager for every sending thread: keep-alive connections to each endpoint.
        # As many connections per host as sends can be under way: endpoints often share a host.
        self.http = guarded_pool_manager(connections_per_host)
        self.timeout = Timeout(connect=timeout_seconds, read=timeout_seconds)
        self._pools: dict[str, tuple] = {}  # endpoint URL → (its pool, the path to post to)

    def send(self, job: Job, now: datetime) -> Outcome:
        endpoint, delivery, notice = job.endpoint, job.delivery, job.notice
        timestamp = int(now.timestamp())
        body = webhook_body(notice.event_type, notice.occurred_at, notice.data)
        headers = webhook_headers(
            webhook_id=delivery.message_id,
            timestamp=timestamp,
            body=body,
            secrets_=webhook_endpoints.valid_secrets(endpoint, now),
            signing_key=endpoint.signing_key if "v1a" in endpoint.schemes else None,
        )
        started = time.perf_counter()
        try:
            # Redirects are failures, not followed (the target was checked, its redirect not).
            pool, path = self._pool_for(endpoint.url)
            response = pool.urlopen(
                "POST",
                path,
                body=body,
                headers=headers,
                timeout=self.timeout,
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
            answer = response.read(RESPONSE_BYTES)
            if response.length_remaining == 0:
                response.release_conn()  # read to the end: the connection can be kept
            else:
                response.close()  # more than we keep: drop the connection, not read it all
        except RefusedAddress as exc:
            return Outcome(
                delivery.id,
                now,
                False,
                latency_ms=milliseconds_since(started),
                error=f"refused: {exc}",
            )
        except (HTTPError, OSError) as exc:
            return Outcome(
                delivery.id,
                now,
                False,
                latency_ms=milliseconds_since(started),
                error=f"{type(exc).__name__}: {exc}"[:500],
            )
        status = response.status
        succeeded = is_success(status)
        return Outcome(
            delivery.id,
            now,
            succeeded,
            status,
            milliseconds_since(started),
            answer.decode("utf-8", "replace"),
            None if succeeded else f"HTTP {status}",
            retry_after=honoured_retry_after(status, response.headers.get("retry-after"), now),
            gone=status == GONE,
        )

    def _pool_for(self, url: str):
        """The keep-alive pool of `url`'s origin and the path to post to: found once per URL,
        not parsed and looked up again for every webhook (a tenth of a send's CPU)."""
        found = self._pools.get(url)
        if found is None or found[0].pool is None:  # None: the manager closed it (too many)
            if len(self._pools) > POOLS_KEPT:
                self._pools.clear()
            parsed = parse_url(url)
            found = self._pools[url] = (self.http.connection_from_url(url), parsed.request_uri)
        return found


def milliseconds_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
