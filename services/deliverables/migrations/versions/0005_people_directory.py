"""the people directory: the catalog's access-token keys, people disabled, memberships and
their current roles, sessions ended (shared/people_directory.py), to check people's access
tokens without asking the catalog

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

import shared.db.schema

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "known_token_key",
        sa.Column("kid", sa.String(length=36), nullable=False),
        sa.Column("public_key", sa.String(length=43), nullable=False),
        sa.Column("created_at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_known_token_key")),
    )
    op.create_table(
        "known_person",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("name_zh", sa.String(length=200), nullable=True),
        sa.Column("disabled_at", shared.db.schema.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_known_person")),
    )
    op.create_table(
        "known_membership",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("roles", shared.db.schema.JSONDocument(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "organisation_id", name=op.f("pk_known_membership")),
    )
    op.create_table(
        "ended_session",
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("ended_at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_ended_session")),
    )
    op.create_index(op.f("ix_ended_session_ended_at"), "ended_session", ["ended_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ended_session_ended_at"), table_name="ended_session")
    op.drop_table("ended_session")
    op.drop_table("known_membership")
    op.drop_table("known_person")
    op.drop_table("known_token_key")
