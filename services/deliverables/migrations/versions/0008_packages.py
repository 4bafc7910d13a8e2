"""packages: each licensee's files encrypted to its keys, and the manifest key

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

import shared.db.schema

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

WHEN = shared.db.schema.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "package_file",
        sa.Column("package_file_id", sa.String(length=36), nullable=False),
        sa.Column("license_id", sa.String(length=36), nullable=False),
        sa.Column("deliverable_id", sa.String(length=36), nullable=False),
        sa.Column("recipients_sha256", sa.String(length=64), nullable=False),
        sa.Column("object_key", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("cipher_size", sa.BigInteger(), nullable=True),
        sa.Column("cipher_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("stored_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("package_file_id", name=op.f("pk_package_file")),
        sa.UniqueConstraint("object_key", name=op.f("uq_package_file_object_key")),
        sa.UniqueConstraint(
            "license_id",
            "deliverable_id",
            "recipients_sha256",
            name=op.f("uq_package_file_license_id"),
        ),
    )
    with op.batch_alter_table("package_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_package_file_license_id"), ["license_id"])
        batch_op.create_index(batch_op.f("ix_package_file_state"), ["state"])
    op.create_table(
        "package",
        sa.Column("package_id", sa.String(length=36), nullable=False),
        sa.Column("license_id", sa.String(length=36), nullable=False),
        sa.Column("licensee_id", sa.String(length=36), nullable=False),
        sa.Column("vendor_id", sa.String(length=36), nullable=False),
        sa.Column("core_id", sa.String(length=36), nullable=False),
        sa.Column("contents_sha256", sa.String(length=64), nullable=False),
        sa.Column("recipients", shared.db.schema.JSONDocument(), nullable=False),
        sa.Column("file_ids", shared.db.schema.JSONDocument(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("manifest", sa.Text(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("ready_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("package_id", name=op.f("pk_package")),
        sa.UniqueConstraint("license_id", "contents_sha256", name=op.f("uq_package_license_id")),
    )
    with op.batch_alter_table("package", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_package_license_id"), ["license_id"])
        batch_op.create_index(batch_op.f("ix_package_licensee_id"), ["licensee_id"])
        batch_op.create_index(batch_op.f("ix_package_state"), ["state"])
    op.create_table(
        "manifest_key",
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("sealed_private_key", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_manifest_key")),
    )


def downgrade() -> None:
    op.drop_table("manifest_key")
    op.drop_table("package")
    op.drop_table("package_file")
