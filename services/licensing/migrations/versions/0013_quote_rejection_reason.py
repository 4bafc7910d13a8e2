"""Quotes a vendor rejects: the reason the licensee is told

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quote") as batch_op:
        batch_op.add_column(sa.Column("rejection_reason", sa.String(length=2000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("quote") as batch_op:
        batch_op.drop_column("rejection_reason")
