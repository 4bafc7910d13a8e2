"""attempt logged before sending

An attempt is written before its webhook or e-mail goes out and completed with its outcome after;
a worker killed in between leaves it without one (succeeded and latency_ms NULL).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attempt") as batch_op:
        batch_op.alter_column("succeeded", existing_type=sa.Boolean(), nullable=True)
        batch_op.alter_column("latency_ms", existing_type=sa.Double(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM attempt WHERE succeeded IS NULL OR latency_ms IS NULL")
    with op.batch_alter_table("attempt") as batch_op:
        batch_op.alter_column("latency_ms", existing_type=sa.Double(), nullable=False)
        batch_op.alter_column("succeeded", existing_type=sa.Boolean(), nullable=False)
