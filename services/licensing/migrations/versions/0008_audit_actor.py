"""the audit names who acted: a person, an API key or the platform itself (actor_kind,
actor_ref, actor_name), beside the organisation they acted for (actor_id, as before)

Entries written before this have no kind: only API keys acted then, but which one was not
recorded, and the log is append-only (no backfill).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on both databases: a batch rebuild on SQLite would drop the triggers that
    # keep the log append-only.
    op.add_column("audit_entry", sa.Column("actor_kind", sa.String(length=8), nullable=True))
    op.add_column("audit_entry", sa.Column("actor_ref", sa.String(length=64), nullable=True))
    op.add_column("audit_entry", sa.Column("actor_name", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_entry", recreate="never") as batch_op:
        batch_op.drop_column("actor_name")
        batch_op.drop_column("actor_ref")
        batch_op.drop_column("actor_kind")
