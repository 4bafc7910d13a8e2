"""devices and passkeys: known devices of people, passkeys and their ceremonies' challenges,
organisations that require a second factor of their members, the people audit (issue 15)

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

import shared.db.schema

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite has one): a batch copy of `organisation` would drop a table
    # the people's tables refer to.
    op.add_column(
        "organisation",
        sa.Column(
            "requires_second_factor", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )
    op.create_table(
        "known_device",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("device_hash", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.Column("first_seen_at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_known_device_person_id_person")
        ),
        sa.PrimaryKeyConstraint("person_id", "device_hash", name=op.f("pk_known_device")),
    )
    op.create_table(
        "passkey",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("credential_id", sa.String(length=1400), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_count", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", shared.db.schema.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_passkey_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passkey")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_passkey_credential_id")),
    )
    with op.batch_alter_table("passkey", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_passkey_person_id"), ["person_id"], unique=False)
    op.create_table(
        "passkey_challenge",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("challenge", sa.LargeBinary(), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("expires_at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_passkey_challenge_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passkey_challenge")),
    )
    op.create_table(
        "people_audit",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=254), nullable=True),
        sa.Column("detail", shared.db.schema.JSONDocument(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people_audit")),
    )
    with op.batch_alter_table("people_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_audit_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("people_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_audit_at"))
    op.drop_table("people_audit")
    op.drop_table("passkey_challenge")
    with op.batch_alter_table("passkey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_passkey_person_id"))
    op.drop_table("passkey")
    op.drop_table("known_device")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("requires_second_factor")
