"""The delivery outcomes' log (services/notify/delivery/records.py): a recorded batch on a few
lines, each delivery named in words and as fields, no answer or URL."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from services.notify.delivery.jobs import Outcome
from services.notify.delivery.records import LOG_LINE_OUTCOMES, log_outcomes

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def outcome(n: int, **fields) -> Outcome:
    return Outcome(
        f"delivery-{n}",
        NOW,
        fields.pop("succeeded", True),
        attempt_id=1000 + n,
        endpoint_id=f"endpoint-{n % 3}",
        **fields,
    )


def test_a_batch_is_logged_on_lines_of_at_most_a_hundred_outcomes_each_named(caplog):
    batch = [outcome(n, status_code=204, latency_ms=2.4, verdict="delivered") for n in range(150)]
    batch.append(
        outcome(
            150,
            succeeded=False,
            error="ConnectTimeoutError: secret-bearing detail",
            response="the receiver's answer",
            verdict="retry in 60 s",
        )
    )
    with caplog.at_level(logging.INFO, logger="services.notify.delivery"):
        log_outcomes(batch)

    assert [len(r.outcomes) for r in caplog.records] == [LOG_LINE_OUTCOMES, 51]
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert text.startswith("100 delivery outcomes recorded: delivery delivery-0 (attempt 1000, ")
    assert (
        "delivery delivery-7 (attempt 1007, endpoint endpoint-1): delivered, status 204, 2 ms;"
        in text
    )
    assert text.endswith(
        "delivery delivery-150 (attempt 1150, endpoint endpoint-0): retry in 60 s, status None, "
        "0 ms, ConnectTimeoutError"
    )
    assert "secret-bearing" not in text and "answer" not in text
    fields = [f for r in caplog.records for f in r.outcomes]
    assert [f["delivery_id"] for f in fields] == [o.delivery_id for o in batch]
    assert fields[150] == {
        "delivery_id": "delivery-150",
        "attempt_id": 1150,
        "endpoint_id": "endpoint-0",
        "status_code": None,
        "outcome": "retry in 60 s",
        "error": "ConnectTimeoutError",
    }


def test_nothing_is_built_when_info_is_not_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="services.notify.delivery"):
        log_outcomes([outcome(1, verdict="delivered")])
    assert caplog.records == []
