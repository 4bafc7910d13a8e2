"""seal endpoint secrets: webhook secrets and signing keys encrypted at rest

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 02:50:00
"""

import sqlalchemy as sa
from alembic import op

from services.notify import sealed
from shared.sealing import is_sealed

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = ("secret", "previous_secret", "signing_key")
endpoint = sa.table("endpoint", sa.column("id"), *(sa.column(c) for c in COLUMNS))


def _resize(length: int) -> None:
    # SQLite ignores a VARCHAR's length (and rebuilding the table would cascade deletes).
    if op.get_bind().dialect.name == "postgresql":
        for column in COLUMNS:
            op.alter_column("endpoint", column, type_=sa.String(length))


def _rewrite(change) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(endpoint)).all()
    if not rows:
        return  # no secret needed
    sealer = sealed.sealer()
    for row in rows:
        values = {
            c: change(sealer, getattr(row, c)) for c in COLUMNS if getattr(row, c) is not None
        }
        connection.execute(sa.update(endpoint).where(endpoint.c.id == row.id).values(**values))


def upgrade() -> None:
    _resize(sealed.SEALED_LENGTH)
    _rewrite(
        lambda sealer, value: value if is_sealed(value) else sealer.seal(value, sealed.CONTEXT)
    )


def downgrade() -> None:
    _rewrite(
        lambda sealer, value: sealer.open(value, sealed.CONTEXT) if is_sealed(value) else value
    )
    _resize(100)
