"""A small payment provider for tests and demos: `ipmarket payment-simulator` (its own process).

A buyer "pays" with `POST /payments {"order_id", "amount", "currency"}`; the simulator answers
202 with its payment id at once, then calls the licensing service back as a real provider would:
`POST {IPMARKET_LICENSING_URL}/v1/payments/callback`, signed with IPMARKET_PAYMENT_PROVIDER_SECRET
(payments.py), retrying while the service is unreachable or answers 5xx. `GET /payments/<id>`
shows how the delivery went.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time

import requests
from flask import Flask, request
from werkzeug.serving import make_server

from services.licensing.payments import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from shared import config

log = logging.getLogger(__name__)
RETRY_SECONDS = (0.5, 1, 2, 4, 8)


class PaymentSimulator:
    def __init__(self, host: str, port: int, callback_url: str, secret: str):
        self.callback_url = callback_url
        self.secret = secret
        self.payments: dict[str, dict] = {}
        self.lock = threading.Lock()
        self.server = make_server(host, port, self._app(), threaded=True)

    def _app(self) -> Flask:
        app = Flask("payment-simulator")

        @app.post("/payments")
        def pay():
            body = request.get_json(silent=True)
            if not isinstance(body, dict) or not all(
                isinstance(body.get(k), str) for k in ("order_id", "amount", "currency")
            ):
                return {"error": "give order_id, amount and currency as strings"}, 422
            payment_id = body.get("payment_id") or f"sim_{secrets.token_hex(12)}"
            callback = {
                "payment_id": payment_id,
                "order_id": body["order_id"],
                "amount": body["amount"],
                "currency": body["currency"],
            }
            with self.lock:
                self.payments[payment_id] = {
                    "payment_id": payment_id,
                    "status": "pending",
                    "attempts": 0,
                }
            threading.Thread(target=self.deliver, args=(callback,), daemon=True).start()
            return {"payment_id": payment_id, "status": "pending"}, 202

        @app.get("/payments/<payment_id>")
        def status(payment_id):
            with self.lock:
                payment = self.payments.get(payment_id)
            return (dict(payment), 200) if payment else ({"error": "unknown payment"}, 404)

        @app.get("/healthz")
        def healthz():
            return {"status": "alive"}

        return app

    def deliver(self, callback: dict) -> None:
        """Send the signed callback; retry on network errors and 5xx; a 4xx is final."""
        body = json.dumps(callback).encode()
        state = self.payments[callback["payment_id"]]
        for delay in (0, *RETRY_SECONDS):
            time.sleep(delay)
            timestamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/json",
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: signature(self.secret, timestamp, body),
            }
            try:
                response = requests.post(self.callback_url, data=body, headers=headers, timeout=10)
            except requests.RequestException as exc:
                outcome, code, text = "failed", None, str(exc)
            else:
                code, text = response.status_code, response.text
                outcome = (
                    "delivered"
                    if response.ok
                    else "refused"
                    if response.status_code < 500
                    else "failed"
                )
            with self.lock:
                state.update(
                    status=outcome,
                    attempts=state["attempts"] + 1,
                    response_status=code,
                    response_body=text[:2000],
                )
            log.info("callback %s: %s (%s)", callback["payment_id"], outcome, code)
            if outcome != "failed":
                return

    def run(self, stop: threading.Event) -> None:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        log.info(
            "payment simulator on %s:%s, calling back %s",
            *self.server.server_address,
            self.callback_url,
        )
        stop.wait()
        self.server.shutdown()


def from_settings(bind: str | None) -> PaymentSimulator:
    secret = config.require("IPMARKET_PAYMENT_PROVIDER_SECRET")
    host, _, port = (
        bind or config.get("IPMARKET_PAYMENT_SIMULATOR_URL").split("://", 1)[-1]
    ).rpartition(":")
    return PaymentSimulator(
        host,
        int(port.rstrip("/")),
        f"{config.get('IPMARKET_LICENSING_URL')}/v1/payments/callback",
        secret,
    )
