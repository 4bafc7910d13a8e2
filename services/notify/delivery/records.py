"""Recording outcomes: complete each attempt logged at claim, and move its delivery on —
delivered, retried later on the persisted schedule, or failed (disabling an endpoint that is
gone or has failed too long; see `domain.retries` and `domain.disabling`)."""

from __future__ import annotations

import functools
import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, sessionmaker

from services.notify import webhook_endpoints
from services.notify.delivery.batch_sql import is_any_of, objects_by_key
from services.notify.delivery.jobs import Outcome
from services.notify.domain.disabling import (
    failing_since_after_failure,
    reason_to_disable,
    verdict_for_disabling,
)
from services.notify.domain.retries import next_delay
from services.notify.models import Attempt, Delivery, Endpoint
from shared.db.bulk_insert import insert_rows
from shared.db.schema import utcnow

log = logging.getLogger("services.notify.delivery")


class OutcomeRecorder:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        schedule: tuple[float, ...],
        disable_after: timedelta,
    ):
        self.session_factory = session_factory
        self.schedule = schedule
        self.disable_after = disable_after

    def record(self, outcomes: list[Outcome]) -> None:
        """Log the attempts and move each delivery on: done, retry later, or failed."""
        now = utcnow()
        try:
            with self.session_factory() as session, session.begin():
                self._record_successes(session, [o for o in outcomes if o.succeeded], now)
                self._record_failures(session, [o for o in outcomes if not o.succeeded], now)
        except sa.exc.IntegrityError:
            # A delivery was deleted meanwhile (with its endpoint): record the rest one by one.
            for outcome in outcomes if len(outcomes) > 1 else ():
                self.record([outcome])

    def _record_successes(self, session: Session, outcomes: list[Outcome], now: datetime) -> None:
        # The common case, in a few statements for the whole batch (one on PostgreSQL).
        if not outcomes:
            return
        for outcome in outcomes:
            outcome.verdict = "delivered"
        postgresql = session.get_bind().dialect.name == "postgresql"
        if postgresql and all(o.attempt_id is not None for o in outcomes):
            session.execute(_recording_successes(), {**_outcome_arrays(outcomes), "now": now})
            return
        _write_attempts(session, outcomes)
        table = Delivery.__table__
        session.execute(
            sa.update(table)
            .where(is_any_of(session, table.c.id, [o.delivery_id for o in outcomes]))
            .values(
                state="succeeded", attempts=table.c.attempts + 1, delivered_at=now, last_error=None
            )
        )
        recovered = {o.endpoint_id for o in outcomes if o.endpoint_id}
        if recovered:
            session.execute(
                sa.update(Endpoint.__table__)
                .where(
                    is_any_of(session, Endpoint.id, recovered), Endpoint.failing_since.is_not(None)
                )
                .values(failing_since=None)
            )

    def _record_failures(self, session: Session, outcomes: list[Outcome], now: datetime) -> None:
        if not outcomes:
            return
        deliveries = objects_by_key(
            session, Delivery, Delivery.id, {o.delivery_id for o in outcomes}
        )
        endpoints = objects_by_key(
            session,
            Endpoint,
            Endpoint.id,
            {d.endpoint_id for d in deliveries.values() if d.endpoint_id},
        )
        _write_attempts(session, [o for o in outcomes if o.delivery_id in deliveries])
        for outcome in outcomes:
            delivery = deliveries.get(outcome.delivery_id)
            if delivery is None:  # its endpoint was deleted meanwhile
                outcome.verdict = "dropped: endpoint deleted"
                continue
            outcome.verdict = self._move_on(
                session, delivery, endpoints.get(delivery.endpoint_id), outcome, now
            )

    def _move_on(
        self,
        session: Session,
        delivery: Delivery,
        endpoint: Endpoint | None,
        outcome: Outcome,
        now: datetime,
    ) -> str:
        """Count the failed attempt and decide what comes next; returns what was decided."""
        delivery.attempts += 1
        delivery.last_error = (outcome.error or "failed")[:500]
        if endpoint is not None:
            endpoint.failing_since = failing_since_after_failure(
                endpoint.failing_since, outcome.attempted_at
            )
            reason = reason_to_disable(
                gone=outcome.gone,
                failing_since=endpoint.failing_since,
                now=now,
                disable_after=self.disable_after,
            )
            if reason is not None:
                delivery.state = "failed"
                webhook_endpoints.disable_endpoint(session, endpoint, reason, now)
                return verdict_for_disabling(reason)
        if delivery.state != "pending":
            return "failed: endpoint disabled"  # meanwhile
        delay = next_delay(delivery.attempts, self.schedule, outcome.retry_after)
        if delay is None:
            delivery.state = "failed"
            return "failed: retries used up"
        delivery.next_attempt_at = now + timedelta(seconds=delay)
        return f"retry in {delay:.0f} s"


def _outcome_fields(outcome: Outcome) -> dict:
    return {
        "attempted_at": outcome.attempted_at,
        "succeeded": outcome.succeeded,
        "status_code": outcome.status_code,
        "latency_ms": round(outcome.latency_ms, 2),
        "response": outcome.response.replace("\x00", ""),
        "error": outcome.error,
    }


def _write_attempts(session: Session, outcomes: list[Outcome]) -> None:
    """Complete the attempts logged at claim with their outcomes and the time the send began
    (and log whole the attempts of outcomes reported without one)."""
    table = Attempt.__table__
    completed = [o for o in outcomes if o.attempt_id is not None]
    if completed and session.get_bind().dialect.name == "postgresql":
        session.execute(_completing_attempts(), _outcome_arrays(completed))
    elif completed:
        session.connection().execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("o_id"))
            .values({name: sa.bindparam(f"o_{name}") for name in _OUTCOME_COLUMNS[1:]}),
            [
                {"o_id": o.attempt_id, **{f"o_{k}": v for k, v in _outcome_fields(o).items()}}
                for o in completed
            ],
        )
    insert_rows(
        session.connection(),
        table,
        [
            {"delivery_id": o.delivery_id, **_outcome_fields(o)}
            for o in outcomes
            if o.attempt_id is None
        ],
    )


# The attempt's columns an outcome sets (`id`: which attempt).
_OUTCOME_COLUMNS = (
    "id",
    "attempted_at",
    "succeeded",
    "status_code",
    "latency_ms",
    "response",
    "error",
)


def _outcome_arrays(outcomes: list[Outcome]) -> dict:
    """The parameters of _completing_attempts: one array per column of the attempt table."""
    rows = [{"id": o.attempt_id, **_outcome_fields(o)} for o in outcomes]
    return {f"o_{name}": [row[name] for row in rows] for name in _OUTCOME_COLUMNS}


# Statements on PostgreSQL built once, not per batch: building them and their cache keys cost
# the recorder more CPU than the rows they write.


@functools.cache
def _completing_attempts() -> sa.Update:
    """UPDATE attempt … FROM unnest(one array per column): a batch of outcomes, one statement."""
    table = Attempt.__table__
    rows = (
        sa.func.unnest(
            *(
                sa.bindparam(f"o_{name}", type_=ARRAY(table.c[name].type))
                for name in _OUTCOME_COLUMNS
            )
        )
        .table_valued(*_OUTCOME_COLUMNS)
        .render_derived()
    )
    return (
        sa.update(table)
        .where(table.c.id == rows.c.id)
        .values({name: rows.c[name] for name in _OUTCOME_COLUMNS[1:]})
    )


@functools.cache
def _recording_successes() -> sa.Update:
    """Succeeded attempts completed, their deliveries done, and their endpoints no longer
    failing, in one statement (data-modifying CTEs): no array of delivery or endpoint ids."""
    attempts, deliveries, endpoints = Attempt.__table__, Delivery.__table__, Endpoint.__table__
    completed = _completing_attempts().returning(attempts.c.delivery_id).cte("completed")
    delivered = (
        sa.update(deliveries)
        .where(deliveries.c.id.in_(sa.select(completed.c.delivery_id)))
        .values(
            state="succeeded",
            attempts=deliveries.c.attempts + 1,
            delivered_at=sa.bindparam("now", type_=deliveries.c.delivered_at.type),
            last_error=None,
        )
        .returning(deliveries.c.endpoint_id)
        .cte("delivered")
    )
    return (
        sa.update(endpoints)
        .where(
            endpoints.c.id.in_(sa.select(delivered.c.endpoint_id)),
            endpoints.c.failing_since.is_not(None),
        )
        .values(failing_since=None)
    )


LOG_LINE_OUTCOMES = 100  # outcomes named on one log line at most (~25 KB)


def log_outcomes(outcomes: list[Outcome]) -> None:
    """The outcomes of a recorded batch on a few log lines rather than one each: every
    delivery's ids, status and what comes next, as words ("delivery … (attempt …, endpoint …):
    delivered, status 204, 3 ms") and as fields (`outcomes`). A line per outcome cost the worker
    ~45 µs of CPU each (the logging call and its JSON formatting; a webhook costs ~0.8 ms),
    a batch's line ~4 µs per outcome. No URL, address or answer (they may carry secrets or
    personal data); of an error only its kind."""
    if not log.isEnabledFor(logging.INFO):
        return
    for first in range(0, len(outcomes), LOG_LINE_OUTCOMES):
        part = outcomes[first : first + LOG_LINE_OUTCOMES]
        log.info(
            "%d delivery outcomes recorded: %s",
            len(part),
            "; ".join(map(_in_words, part)),
            extra={"outcomes": [_as_fields(outcome) for outcome in part]},
        )


def _error_kind(outcome: Outcome) -> str | None:
    if outcome.succeeded or outcome.status_code:
        return None
    return (outcome.error or "").split(":")[0][:80] or None


def _in_words(outcome: Outcome) -> str:
    error = _error_kind(outcome)
    where = f"endpoint {outcome.endpoint_id}" if outcome.endpoint_id else "email"
    return (
        f"delivery {outcome.delivery_id} (attempt {outcome.attempt_id}, {where}): "
        f"{outcome.verdict}, status {outcome.status_code}, {outcome.latency_ms:.0f} ms"
        + (f", {error}" if error else "")
    )


def _as_fields(outcome: Outcome) -> dict:
    return {
        "delivery_id": outcome.delivery_id,
        "attempt_id": outcome.attempt_id,
        "endpoint_id": outcome.endpoint_id,
        "status_code": outcome.status_code,
        "outcome": outcome.verdict,
        "error": _error_kind(outcome),
    }
