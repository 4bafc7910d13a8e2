"""Claiming due deliveries and renewing their leases.

A claim moves a delivery's `next_attempt_at` a lease ahead (`FOR UPDATE SKIP LOCKED` on
PostgreSQL, so several workers share the work) and logs its attempt in the same transaction,
before anything is sent. Renewing moves the lease on while the worker still holds the delivery.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, sessionmaker

from services.notify.delivery.batch_sql import is_any_of, rows_by_key
from services.notify.delivery.jobs import EMAIL_LANE, Job
from services.notify.models import Attempt, Delivery, Endpoint, KnownOrganisation, Notice
from shared.db.schema import utcnow

CLAIM_BATCH = 500


def claim_due(
    session_factory: sessionmaker[Session],
    limit: int,
    *,
    full: list[str],
    outstanding: Counter,
    per_endpoint: int,
    lease: timedelta,
) -> tuple[list[Job], int]:
    """Lease up to `limit` due deliveries, leaving out the endpoints in `full`, and load what
    sending them needs. Returns the jobs, and how many due deliveries were left because their
    endpoint has as many claimed as it may (twice `per_endpoint`, counting `outstanding`).
    Plain rows, not ORM objects: sending only reads them."""
    now = utcnow()
    table = Delivery.__table__
    with session_factory() as session, session.begin():
        query = (
            sa.select(table.c.id, table.c.endpoint_id)
            .where(table.c.state == "pending", table.c.next_attempt_at <= now)
            .order_by(table.c.next_attempt_at)
            .limit(min(limit, CLAIM_BATCH))
            .with_for_update(skip_locked=True)
        )
        if full:
            query = query.where(
                sa.or_(
                    table.c.endpoint_id.is_(None),
                    sa.not_(is_any_of(session, table.c.endpoint_id, full)),
                )
            )
        taken: Counter = Counter()
        chosen, skipped = [], 0
        for delivery_id, endpoint_id in session.execute(query):
            if endpoint_id and outstanding[endpoint_id] + taken[endpoint_id] >= 2 * per_endpoint:
                skipped += 1
                continue  # left unleased: the next claim may take it
            taken[endpoint_id or EMAIL_LANE] += 1
            chosen.append(delivery_id)
        if not chosen:
            return [], skipped
        deliveries, attempts = lease_and_log_attempts(session, chosen, now, lease)
        jobs = load_jobs(session, deliveries)
    for job in jobs:
        job.leased_until = now + lease
        job.attempt_id = attempts[job.delivery.id]
    jobs.sort(key=lambda job: job.delivery.created_at)  # RETURNING keeps no order
    return jobs, skipped


def renew_leases(session_factory: sessionmaker[Session], jobs: list[Job], lease: timedelta) -> None:
    """Move the lease of each of `jobs` a full lease ahead, unless its outcome was written
    meanwhile (which set next_attempt_at or the state)."""
    now = utcnow()
    leased_until = now + lease
    table = Delivery.__table__
    by_lease: dict[datetime, list[str]] = defaultdict(list)
    for job in jobs:
        by_lease[job.leased_until].append(job.delivery.id)
    with session_factory() as session, session.begin():
        renewed = set()
        for held_until, ids in by_lease.items():
            renewed.update(
                session.scalars(
                    sa.update(table)
                    .where(
                        is_any_of(session, table.c.id, ids),
                        table.c.state == "pending",
                        table.c.next_attempt_at == held_until,
                    )
                    .values(next_attempt_at=leased_until)
                    .returning(table.c.id)
                )
            )
    for job in jobs:
        if job.delivery.id in renewed:
            job.leased_until = leased_until


def lease_and_log_attempts(
    session: Session, delivery_ids: list[str], now: datetime, lease: timedelta
) -> tuple[list[sa.Row], dict[str, int]]:
    """Move the deliveries' `next_attempt_at` a lease ahead and log an attempt without outcome
    for each: their rows, and the attempt id by delivery id."""
    if session.get_bind().dialect.name != "postgresql":  # no UPDATE or INSERT in a WITH
        table = Delivery.__table__
        deliveries = session.execute(
            sa.update(table)
            .where(is_any_of(session, table.c.id, delivery_ids))
            .values(next_attempt_at=now + lease)
            .returning(*table.c)
        ).all()
        return deliveries, log_attempts(session, [d.id for d in deliveries], now)
    rows = session.execute(
        _leasing_and_logging(), {"ids": delivery_ids, "leased_until": now + lease, "now": now}
    ).all()
    return rows, {row.id: row.attempt_id for row in rows}


@functools.cache
def _leasing_and_logging() -> sa.Select:
    """On PostgreSQL the lease and the attempt log in one statement (UPDATE … RETURNING and
    INSERT … SELECT … RETURNING as data-modifying CTEs), built once. As two statements built
    per claim they cost twice the CPU (~65 against ~32 µs per delivery claimed): the attempt
    log's own array of ids to dump, each statement built and its cache key computed anew."""
    table, attempts = Delivery.__table__, Attempt.__table__
    leased = (
        sa.update(table)
        .where(table.c.id == sa.any_(sa.bindparam("ids", type_=ARRAY(table.c.id.type))))
        .values(next_attempt_at=sa.bindparam("leased_until", type_=table.c.next_attempt_at.type))
        .returning(*table.c)
        .cte("leased")
    )
    logged = (
        sa.insert(attempts)
        .from_select(
            ["delivery_id", "attempted_at", "response"],
            sa.select(
                leased.c.id,
                sa.bindparam("now", type_=attempts.c.attempted_at.type),
                sa.literal(""),
            ),
        )
        .returning(attempts.c.delivery_id, attempts.c.id)
        .cte("logged")
    )
    return sa.select(leased, logged.c.id.label("attempt_id")).join_from(
        leased, logged, logged.c.delivery_id == leased.c.id
    )


def log_attempts(session: Session, delivery_ids: list[str], now: datetime) -> dict[str, int]:
    """An attempt without outcome for each delivery just claimed, in the claim's transaction
    (no round trip of its own), so that whatever is sent is in the log even if the worker dies
    before writing the outcome. Its id by delivery id. One INSERT … SELECT for the batch: no
    parameters per row for SQLAlchemy and psycopg to render (a third of the claim's CPU)."""
    attempts, deliveries = Attempt.__table__, Delivery.__table__
    logged = session.execute(
        sa.insert(attempts)
        .from_select(
            ["delivery_id", "attempted_at", "response"],
            sa.select(
                deliveries.c.id,
                sa.literal(now, attempts.c.attempted_at.type),
                sa.literal(""),
            ).where(is_any_of(session, deliveries.c.id, delivery_ids)),
        )
        .returning(attempts.c.delivery_id, attempts.c.id)
    )
    return dict(logged.all())


def load_jobs(session: Session, deliveries: list[sa.Row]) -> list[Job]:
    """The notice, endpoint and directory entries each claimed delivery needs to be sent."""
    notices = rows_by_key(session, Notice.__table__.c.event_id, {d.notice_id for d in deliveries})
    endpoints = rows_by_key(
        session, Endpoint.__table__.c.id, {d.endpoint_id for d in deliveries if d.endpoint_id}
    )
    org_ids = {d.organisation_id for d in deliveries if d.channel == "email"}
    for d in deliveries:
        if d.channel == "email":
            data = notices[d.notice_id].data
            org_ids |= {
                data.get("vendor_id"),
                data.get("licensee_id"),
                data.get("organisation_id"),  # an invitation's
            } - {None}
            org_ids |= {entry["licensee_id"] for entry in data.get("entries") or []}  # a digest's
    organisations = rows_by_key(session, KnownOrganisation.__table__.c.organisation_id, org_ids)
    return [
        Job(
            d,
            notices[d.notice_id],
            endpoints.get(d.endpoint_id),
            organisations.get(d.organisation_id),
            organisations,
        )
        for d in deliveries
    ]
