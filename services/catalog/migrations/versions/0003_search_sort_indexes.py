"""Indexes in the order of the searches without text (newest first, by title)

Without them the first page of a browse sorted every visible core (a sequential scan of the whole
table, ~140 ms at 100,000 cores); with them it reads the first rows of the index.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 00:12:00
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The exact expressions and directions search._sort_key() orders by, id breaking ties
    # (keyset pagination); the same SQL on PostgreSQL and SQLite.
    op.execute(
        "CREATE INDEX ix_core_newest ON core ((coalesce(published_at, created_at)) DESC, id)"
    )
    op.execute("CREATE INDEX ix_core_title ON core (title_en, id)")


def downgrade() -> None:
    op.execute("DROP INDEX ix_core_title")
    op.execute("DROP INDEX ix_core_newest")
