"""VLNV vendor-name claims; the ports and memory maps of an IP-XACT import

Cores that exist already keep their vendor names, but publishing under one now needs a confirmed
claim: each organisation's names in use become pending claims, for the operator to confirm.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 02:30:00
"""

import uuid

import sqlalchemy as sa
from alembic import op

import shared.db.schema

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    claims = op.create_table(
        "vendor_name_claim",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", shared.db.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_vendor_name_claim_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_name_claim")),
        sa.UniqueConstraint("organisation_id", "name", name="uq_vendor_name_claim_claimant"),
    )
    op.create_index(
        "ix_vendor_name_claim_organisation_id", "vendor_name_claim", ["organisation_id"]
    )
    op.create_index(
        "uq_vendor_name_confirmed",
        "vendor_name_claim",
        ["name"],
        unique=True,
        postgresql_where=sa.text("status = 'confirmed'"),
        sqlite_where=sa.text("status = 'confirmed'"),
    )
    with op.batch_alter_table("core") as batch_op:
        batch_op.add_column(
            sa.Column("ports", shared.db.schema.JSONDocument(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column(
                "memory_maps", shared.db.schema.JSONDocument(), nullable=False, server_default="[]"
            )
        )
    bind = op.get_bind()
    in_use = bind.execute(sa.text("SELECT DISTINCT vendor_id, lower(vlnv_vendor) FROM core")).all()
    now = shared.db.schema.utcnow()
    op.bulk_insert(
        claims,
        [
            {
                "id": str(uuid.uuid4()),
                "organisation_id": org_id,
                "name": name,
                "status": "pending",
                "created_at": now,
                "version": 1,
            }
            for org_id, name in in_use
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("core") as batch_op:
        batch_op.drop_column("memory_maps")
        batch_op.drop_column("ports")
    op.drop_index("uq_vendor_name_confirmed", table_name="vendor_name_claim")
    op.drop_index("ix_vendor_name_claim_organisation_id", table_name="vendor_name_claim")
    op.drop_table("vendor_name_claim")
