"""people: persons, memberships, organisation applications, invitations, sessions, TOTP
secrets, recovery codes, sign-in throttles, token keys (issue 15)

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

import shared.db.schema

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("email_key", sa.String(length=254), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("platform_roles", shared.db.schema.JSONDocument(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("email_verified_at", shared.db.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("disabled_at", shared.db.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("email_key", name=op.f("uq_person_email_key")),
    )
    op.create_table(
        "sign_in_throttle",
        sa.Column("bucket", sa.String(length=300), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", shared.db.schema.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("bucket", name=op.f("pk_sign_in_throttle")),
    )
    op.create_table(
        "token_key",
        sa.Column("kid", sa.String(length=36), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("secret", sa.LargeBinary(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", shared.db.schema.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_token_key")),
    )
    op.create_table(
        "invitation",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("roles", shared.db.schema.JSONDocument(), nullable=False),
        sa.Column("invited_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", shared.db.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_invitation_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_invitation_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
    )
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invitation_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "membership",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("roles", shared.db.schema.JSONDocument(), nullable=False),
        sa.Column("created_at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_membership_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_membership_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership")),
        sa.UniqueConstraint(
            "person_id", "organisation_id", name="uq_membership_person_organisation"
        ),
    )
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_membership_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_membership_person_id"), ["person_id"], unique=False)

    op.create_table(
        "organisation_application",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("legal_name_en", sa.String(length=300), nullable=False),
        sa.Column("legal_name_zh", sa.String(length=300), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("registration_number", sa.String(length=64), nullable=False),
        sa.Column("roles", shared.db.schema.JSONDocument(), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("organisation_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", shared.db.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_organisation_application_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_application")),
    )
    op.create_table(
        "person_session",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("refresh_hash", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("created_at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", shared.db.schema.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_person_session_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_session")),
        sa.UniqueConstraint("refresh_hash", name=op.f("uq_person_session_refresh_hash")),
    )
    with op.batch_alter_table("person_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_session_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "recovery_code",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", shared.db.schema.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_recovery_code_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_code")),
    )
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_code_person_id"), ["person_id"], unique=False)

    op.create_table(
        "totp_secret",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("created_at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", shared.db.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_totp_secret_person_id_person")
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_totp_secret")),
    )


def downgrade() -> None:
    op.drop_table("totp_secret")
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_code_person_id"))

    op.drop_table("recovery_code")
    with op.batch_alter_table("person_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_session_person_id"))

    op.drop_table("person_session")
    op.drop_table("organisation_application")
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_person_id"))
        batch_op.drop_index(batch_op.f("ix_membership_organisation_id"))

    op.drop_table("membership")
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitation_organisation_id"))

    op.drop_table("invitation")
    op.drop_table("token_key")
    op.drop_table("sign_in_throttle")
    op.drop_table("person")
