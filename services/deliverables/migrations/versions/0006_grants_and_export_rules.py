"""grants and export rules: what each license grants and the destination it was screened for,
each core version's ECCN and territory restrictions, and licensing's screening rule sets, so
that a download is refused for a kind the license does not grant or a destination denied since

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

import shared.db.schema

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("known_license") as batch_op:
        batch_op.add_column(sa.Column("granted", shared.db.schema.JSONDocument(), nullable=True))
        batch_op.add_column(sa.Column("end_use_country", sa.String(length=2), nullable=True))
    with op.batch_alter_table("known_core_version") as batch_op:
        batch_op.add_column(sa.Column("eccn", sa.String(length=8), nullable=True))
        batch_op.add_column(
            sa.Column("territory_restrictions", shared.db.schema.JSONDocument(), nullable=True)
        )
    op.create_table(
        "known_rule_set",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("rules", shared.db.schema.JSONDocument(), nullable=False),
        sa.Column("embargoed", shared.db.schema.JSONDocument(), nullable=False),
        sa.Column("published_at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_known_rule_set")),
    )


def downgrade() -> None:
    op.drop_table("known_rule_set")
    with op.batch_alter_table("known_core_version") as batch_op:
        batch_op.drop_column("territory_restrictions")
        batch_op.drop_column("eccn")
    with op.batch_alter_table("known_license") as batch_op:
        batch_op.drop_column("end_use_country")
        batch_op.drop_column("granted")
