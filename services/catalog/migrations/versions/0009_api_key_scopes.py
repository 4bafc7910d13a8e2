"""API key scopes

Each key acts with the roles it was given (shared/roles.py), e.g. ["publisher"] for an upload
script.

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
    # Keys made before scopes could do all their organisation may do: they are its owners.
    with op.batch_alter_table("api_key") as batch_op:
        batch_op.add_column(
            sa.Column(
                "scopes",
                shared.db.schema.JSONDocument(),
                nullable=False,
                server_default=sa.text("'[\"owner\"]'"),
            )
        )
    with op.batch_alter_table("api_key") as batch_op:
        batch_op.alter_column("scopes", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("api_key") as batch_op:
        batch_op.drop_column("scopes")
