"""Who hears what: a domain event becomes a notice and one delivery per recipient endpoint or
contact (event → notice → delivery → attempt; see `domain`). Runs inside the consumer's
transaction, so the deliveries are stored together with the processed-event record: once
Kafka's offset moves on, every delivery is on disk. The rules are `domain.routing`; this module
reads what they need and writes what they decide.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.notify.domain.routing import (
    HOLDING_ENDS,
    HOLDING_STARTS,
    PersonRoute,
    Route,
    core_line,
    named_recipients,
    plan_deliveries,
    roles_to_tell,
)
from services.notify.mail import message_id_for
from services.notify.models import (
    Delivery,
    Endpoint,
    Holding,
    KnownCore,
    KnownOrganisation,
    Notice,
    Preference,
    Watch,
)
from services.notify.people import people_for
from shared.db.bulk_insert import insert_ignoring_duplicates
from shared.db.schema import utcnow
from shared.db.session import insert_at_commit
from shared.events import Event

# --- projections the routing needs -------------------------------------------------------------


def apply_core(event: Event, session: Session) -> None:
    data = event.data
    core = session.get(KnownCore, data["core_id"])
    if core is not None and core.version >= data["version"]:
        return  # an older state arriving late changes nothing
    if core is None:
        core = KnownCore(core_id=data["core_id"])
        session.add(core)
    core.vendor_id = data["vendor_id"]
    core.line = core_line(data["vlnv"])
    core.status = data["status"]
    core.version = data["version"]


def apply_license(event: Event, session: Session) -> None:
    data = event.data
    license_id = data.get("license_id")
    if not license_id:
        return
    # One statement each, no read first: this runs for every license event.
    if event.type in HOLDING_STARTS:
        session.execute(
            insert_ignoring_duplicates(session, Holding.__table__).values(
                license_id=license_id, organisation_id=data["licensee_id"], core_id=data["core_id"]
            )
        )
    elif event.type in HOLDING_ENDS:
        session.execute(
            sa.delete(Holding.__table__).where(Holding.__table__.c.license_id == license_id)
        )


# --- recipients ---------------------------------------------------------------------------------


def recipients(event: Event, session: Session) -> set[str]:
    """Ids of the organisations to tell about `event`."""
    named = named_recipients(event.type, event.data)
    if named is not None:
        return named
    data = event.data  # a core's: its license holders and its watchers
    holders = session.scalars(
        sa.select(Holding.organisation_id).where(Holding.core_id == data["core_id"])
    ).all()
    same_line = sa.select(KnownCore.core_id).where(KnownCore.line == core_line(data["vlnv"]))
    watchers = session.scalars(
        sa.select(Watch.organisation_id).where(
            sa.or_(
                sa.and_(
                    Watch.kind == "core",
                    sa.or_(Watch.target_id == data["core_id"], Watch.target_id.in_(same_line)),
                ),
                sa.and_(Watch.kind == "vendor", Watch.target_id == data["vendor_id"]),
            )
        )
    ).all()
    return set(holders) | set(watchers)


def record_notice(event: Event, session: Session, routes: dict | None = None) -> int:
    """Store the notice of `event` and a pending delivery for each recipient (organisations
    and the people told by role); return how many. `routes`: those read before in this
    transaction (see `route_cache`)."""
    audiences = roles_to_tell(event.type, event.data)
    return store_notice(
        session,
        event_id=event.id,
        event_type=event.type,
        occurred_at=event.time,
        data=event.data,
        organisation_ids=recipients(event, session),
        routes=routes,
        people=people_for(session, audiences) if audiences else [],
    )


def read_routes(session: Session, organisation_ids: list[str], event_type: str) -> list[Route]:
    # Two queries however many recipients.
    found = {
        row.organisation_id: row
        for row in session.execute(
            sa.select(
                KnownOrganisation.organisation_id,
                KnownOrganisation.contacts,
                Preference.email,
                Preference.webhook,
            )
            .outerjoin(
                Preference,
                sa.and_(
                    Preference.organisation_id == KnownOrganisation.organisation_id,
                    Preference.event_type == event_type,
                ),
            )
            .where(KnownOrganisation.organisation_id.in_(organisation_ids))
        )
    }
    endpoints = session.execute(
        sa.select(Endpoint.id, Endpoint.organisation_id, Endpoint.event_types)
        .where(Endpoint.organisation_id.in_(organisation_ids), Endpoint.disabled_at.is_(None))
        .order_by(Endpoint.created_at)
    ).all()
    routes = []
    for org_id in organisation_ids:
        row = found.get(org_id)
        # No preference row: both channels. An organisation not in the directory yet has no
        # contacts to write to, but its endpoints are known.
        routes.append(
            Route(
                org_id,
                (row.contacts or []) if row else [],
                row is None or row.email is None or row.email,
                row is None or row.webhook is None or row.webhook,
                [(e.id, e.event_types) for e in endpoints if e.organisation_id == org_id],
            )
        )
    return routes


def store_notice(
    session: Session,
    *,
    event_id: str,
    event_type: str,
    occurred_at: datetime,
    data: dict,
    organisation_ids: set[str],
    routes: dict | None = None,
    people: list[PersonRoute] = (),
) -> int:
    """Store the notice and its deliveries; `routes` may carry routes read before in the same
    transaction; `people` are told by e-mail besides. The delivery table wakes the delivery
    workers when the rows are committed."""
    if not organisation_ids and not people:
        return 0
    ids = sorted(organisation_ids)
    routes = {} if routes is None else routes
    if (key := (tuple(ids), event_type)) not in routes:
        routes[key] = read_routes(session, ids, event_type)
    deliveries = plan_deliveries(
        event_id, event_type, routes[key], utcnow(), message_id_for, people
    )
    # Written at commit with the batch's others, one INSERT per table, not one per consumed
    # event: nothing reads them back in this transaction. The notice first: the deliveries
    # refer to it.
    insert_at_commit(
        session,
        Notice.__table__,
        {"event_id": event_id, "event_type": event_type, "occurred_at": occurred_at, "data": data},
    )
    for delivery in deliveries:
        insert_at_commit(session, Delivery.__table__, delivery)
    return len(deliveries)
