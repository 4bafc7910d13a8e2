"""people's own settings: when they last chose them

SETTINGS_CHANGED (keyed by person) sets a person's language and time zone; a join or a change
of platform roles older than it (keyed otherwise, so possibly late) no longer overwrites them.
People seen before: none chosen.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

import shared.db.schema

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("known_person") as batch_op:
        batch_op.add_column(
            sa.Column(
                "settings_changed_at", shared.db.schema.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("known_person") as batch_op:
        batch_op.drop_column("settings_changed_at")
