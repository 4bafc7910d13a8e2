"""Sending deliveries: a notice to one webhook endpoint or one e-mail address (event → notice →
delivery → attempt; see `services.notify.domain`).

The worker (`worker`) claims due deliveries (`claims`), sends them (`webhook_sender`,
`mail_sender`), and records each attempt's outcome, moving the delivery on: delivered, retried
later on the persisted schedule, or failed, disabling an endpoint that is gone or failing too
long (`records`). `batch_sql` holds the statement shapes the claims and records share.

Crash safety: a delivery is claimed by moving its `next_attempt_at` a lease ahead (in its own
transaction, `FOR UPDATE SKIP LOCKED` on PostgreSQL so several workers share the work), and its
attempt is logged in that transaction, before it is sent; the outcome completes it after. While
the worker holds a delivery (waiting for a lane, sending, or its outcome not yet written) it
renews the lease every few seconds, so the lease can be short: a worker killed at any point
leaves the row pending and due again within LEASE_SECONDS, and its attempt in the log without
an outcome (sent or not: nobody knows). It is sent again with the same webhook-id /
Message-ID, so the receiver can tell it is the same message. Nothing claimed is ever dropped.
"""

from services.notify.delivery.worker import DeliveryWorker

__all__ = ["DeliveryWorker"]
