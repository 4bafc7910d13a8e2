"""people's addresses: beside the people directory (0006), each person's e-mail, own language and
time zone, platform roles and home organisation, to address notices to them by role; members
looked up by organisation; each e-mail delivery's own language and time zone (NULL: the
organisation's)

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("known_person") as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("locale", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("home_organisation_id", sa.String(length=36), nullable=True))
        batch_op.add_column(
            sa.Column("platform_roles", sa.String(length=64), server_default="", nullable=False)
        )
    op.create_index("ix_known_membership_organisation_id", "known_membership", ["organisation_id"])
    op.add_column("delivery", sa.Column("locale", sa.String(length=16), nullable=True))
    op.add_column("delivery", sa.Column("timezone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("delivery") as batch_op:
        batch_op.drop_column("timezone")
        batch_op.drop_column("locale")
    op.drop_index("ix_known_membership_organisation_id", table_name="known_membership")
    with op.batch_alter_table("known_person") as batch_op:
        for column in ("platform_roles", "home_organisation_id", "timezone", "locale", "email"):
            batch_op.drop_column(column)
