"""manifest keys: the deliverables service's manifest-signing public keys, learnt from its
events and served in the license keys' JWKS (kids "manifest-…"), never verifying a license

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
    op.create_table(
        "manifest_key",
        sa.Column("kid", sa.String(64), primary_key=True),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("created_at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", shared.db.schema.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("manifest_key")
