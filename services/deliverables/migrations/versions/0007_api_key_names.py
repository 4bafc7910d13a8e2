"""API key labels

The projection of the catalog's keys keeps each key's label (API_KEY_CREATED's name), the name
the events and audit records of the key's acts give their actor. Keys seen before: none.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("known_api_key") as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("known_api_key") as batch_op:
        batch_op.drop_column("name")
