"""the packages wanted (a row per license written with the change that may alter its package,
taken by the package worker) and package files' claims (encrypted outside any transaction)

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

import shared.db.schema

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "package_wanted",
        sa.Column("license_id", sa.String(length=36), nullable=False),
        sa.Column("wanted_at", shared.db.schema.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("license_id", name=op.f("pk_package_wanted")),
    )
    op.create_index(op.f("ix_package_wanted_wanted_at"), "package_wanted", ["wanted_at"])
    with op.batch_alter_table("package_file") as batch:
        batch.add_column(sa.Column("attempt", sa.String(length=36), nullable=True))
        batch.add_column(
            sa.Column("claimed_until", shared.db.schema.UTCDateTime(timezone=True), nullable=True)
        )
    # Licenses in force when this runs: planned once by the worker, as the old loop would have.
    op.execute(
        "INSERT INTO package_wanted (license_id, wanted_at) "
        "SELECT license_id, changed_at FROM known_license WHERE state = 'valid'"
    )


def downgrade() -> None:
    with op.batch_alter_table("package_file") as batch:
        batch.drop_column("claimed_until")
        batch.drop_column("attempt")
    op.drop_index(op.f("ix_package_wanted_wanted_at"), table_name="package_wanted")
    op.drop_table("package_wanted")
