"""Invitations an organisation withdraws: when, so their links refuse

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

import shared.db.schema

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "invitation",
        sa.Column("withdrawn_at", shared.db.schema.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("invitation", "withdrawn_at")
