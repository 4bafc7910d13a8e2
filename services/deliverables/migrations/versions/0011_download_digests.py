"""the vendors' daily download digests published: one per (vendor, day)

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
    op.create_table(
        "download_digest",
        sa.Column("vendor_id", sa.String(length=36), nullable=False),
        sa.Column("day_start", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("digest_id", sa.String(length=36), nullable=False),
        sa.Column("published_at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("vendor_id", "day_start", name=op.f("pk_download_digest")),
    )
    with op.batch_alter_table("download") as batch:
        batch.create_index(batch.f("ix_download_downloaded_at"), ["downloaded_at"])


def downgrade() -> None:
    with op.batch_alter_table("download") as batch:
        batch.drop_index(batch.f("ix_download_downloaded_at"))
    op.drop_table("download_digest")
