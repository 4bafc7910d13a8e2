"""API key scopes

The projection of the catalog's keys keeps each key's scopes (API_KEY_CREATED carries them).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

import shared.db.schema

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Keys made before scopes could do all their organisation may do: they are its owners.
    with op.batch_alter_table("known_api_key") as batch_op:
        batch_op.add_column(
            sa.Column(
                "scopes",
                shared.db.schema.JSONDocument(),
                nullable=False,
                server_default=sa.text("'[\"owner\"]'"),
            )
        )
    with op.batch_alter_table("known_api_key") as batch_op:
        batch_op.alter_column("scopes", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("known_api_key") as batch_op:
        batch_op.drop_column("scopes")
