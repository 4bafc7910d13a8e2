"""Requests for IP: what an organisation asks the vendors of a category for when a search
finds nothing

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

import shared.db.schema

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ip_request",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("node", sa.String(length=64), nullable=True),
        sa.Column("foundry", sa.String(length=64), nullable=True),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("vendors_told", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ip_request_organisation_id", "ip_request", ["organisation_id"])


def downgrade() -> None:
    op.drop_index("ix_ip_request_organisation_id", table_name="ip_request")
    op.drop_table("ip_request")
