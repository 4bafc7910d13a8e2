"""people's platform roles as the catalog last announced them (PLATFORM_ROLES_CHANGED): a
request acts with these, not the token's, so that a demotion holds within seconds

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

import shared.db.schema

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "known_platform_roles",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("platform_roles", shared.db.schema.JSONDocument(), nullable=False),
        sa.Column("changed_at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_known_platform_roles")),
    )


def downgrade() -> None:
    op.drop_table("known_platform_roles")
