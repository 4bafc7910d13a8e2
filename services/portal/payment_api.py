"""The payment provider, as the portal meets it when a licensee pays an order: the portal asks
the provider to take the payment (POST /payments with the order's id and outstanding amount);
the provider then tells the licensing service itself, by its signed callback
(POST /v1/payments/callback), and only that callback marks the order paid. The portal never
says an order is paid: it shows what the licensing service says.

Today's provider is `ipmarket payment-simulator` (IPMARKET_PAYMENT_SIMULATOR_URL); a real one
would put its own checkout page between these two steps."""

from __future__ import annotations

from services.portal.service_api import ServiceApi


class PaymentApi(ServiceApi):
    def pay(self, order_id: str, amount: str, currency: str) -> dict:
        body = {"order_id": order_id, "amount": amount, "currency": currency}
        return self._call("POST", "/payments", json=body)
