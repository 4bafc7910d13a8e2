"""people: notify's projection of the catalog's people and memberships, to address notices to
them by role, and each e-mail delivery's own language and time zone (NULL: the organisation's)

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
    op.create_table(
        "known_person",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("name_zh", sa.String(length=300), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("home_organisation_id", sa.String(length=36), nullable=False),
        sa.Column("platform_roles", sa.String(length=64), nullable=False),
        sa.Column("disabled_at", shared.db.schema.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_known_person")),
    )
    op.create_table(
        "known_membership",
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("roles", shared.db.schema.JSONDocument(), nullable=False),
        sa.PrimaryKeyConstraint("organisation_id", "person_id", name=op.f("pk_known_membership")),
    )
    op.create_index(
        op.f("ix_known_membership_person_id"), "known_membership", ["person_id"], unique=False
    )
    op.add_column("delivery", sa.Column("locale", sa.String(length=16), nullable=True))
    op.add_column("delivery", sa.Column("timezone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("delivery") as batch_op:
        batch_op.drop_column("timezone")
        batch_op.drop_column("locale")
    op.drop_index(op.f("ix_known_membership_person_id"), table_name="known_membership")
    op.drop_table("known_membership")
    op.drop_table("known_person")
