"""platform roles told again

Licensing, notify and deliverables learn a person's platform roles from PLATFORM_ROLES_CHANGED,
which did not exist when the first operators and export reviewers were made: until their next
change of roles, the other services knew them only by their tokens, and notify could not tell
export reviewers of requests waiting for them. This writes one PLATFORM_ROLES_CHANGED of every
person holding platform roles into the outbox (their roles now, changed_at: now), which the
relay sends like any other event. Consumers keep the latest changed_at per person, so an
event telling what they hold already changes nothing.

Revision ID: 0010
Revises: 0009
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import shared.db.schema
from shared.events.envelope import new_event, system_actor

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# The event as it was when this was written (shared/events/people.PlatformRolesChanged).
EVENT_TYPE = "ipmarket.person.platform_roles_changed.v1"
PLATFORM_ROLES = ("operator", "export_reviewer")

person = sa.table(
    "person",
    sa.column("id", sa.String),
    sa.column("email", sa.String),
    sa.column("name_en", sa.String),
    sa.column("name_zh", sa.String),
    sa.column("locale", sa.String),
    sa.column("timezone", sa.String),
    sa.column("platform_roles", shared.db.schema.JSONDocument()),
)
outbox = sa.table(
    "outbox",
    sa.column("event_id", sa.String),
    sa.column("stream", sa.String),
    sa.column("event_type", sa.String),
    sa.column("aggregate_id", sa.String),
    sa.column("payload", sa.Text),
    sa.column("created_at", shared.db.schema.UTCDateTime(timezone=True)),
)


def republish(connection, now: datetime) -> int:
    """One event per person with platform roles, in the outbox; how many."""
    rows = []
    for held in connection.execute(sa.select(person).order_by(person.c.id)):
        platform_roles = [r for r in PLATFORM_ROLES if r in (held.platform_roles or [])]
        if not platform_roles:
            continue
        event = new_event(
            EVENT_TYPE,
            "/ipmarket/catalog",
            subject=held.id,
            data={
                "person_id": held.id,
                "name_en": held.name_en,
                "name_zh": held.name_zh,
                "email": held.email,
                "locale": held.locale,
                "timezone": held.timezone,
                "platform_roles": platform_roles,
                "changed_at": now.isoformat(),
            },
            actor=system_actor("catalog.migration_0010"),
        )
        rows.append(
            {
                "event_id": event.id,
                "stream": "catalog",
                "event_type": event.type,
                "aggregate_id": event.subject,
                "payload": event.to_json().decode(),
                "created_at": now,
            }
        )
    if rows:
        connection.execute(outbox.insert(), rows)
    return len(rows)


def upgrade() -> None:
    republish(op.get_bind(), datetime.now(UTC))


def downgrade() -> None:
    pass  # events sent cannot be taken back; telling the state again is harmless
