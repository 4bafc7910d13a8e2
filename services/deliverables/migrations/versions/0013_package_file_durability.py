"""package files recorded before they are fsynced: whether a file is durable yet, and which
boot of the machine wrote it (files stored before were fsynced first: durable)

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
    with op.batch_alter_table("package_file") as batch:
        batch.add_column(
            sa.Column("durable", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch.add_column(sa.Column("written_boot_id", sa.String(length=64), nullable=True))
        batch.create_index(op.f("ix_package_file_durable"), ["durable"])


def downgrade() -> None:
    with op.batch_alter_table("package_file") as batch:
        batch.drop_index(op.f("ix_package_file_durable"))
        batch.drop_column("written_boot_id")
        batch.drop_column("durable")
