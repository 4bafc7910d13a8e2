"""The browse indexes also carry what a browse page reads (PostgreSQL)

With `seq`, the status and the sort's columns in the index, the first page of a browse is read
from the index alone (an index-only scan) instead of a heap page per core it passes over: a
narrow browse (search._browse) tests each core's seq, an unfiltered one its status.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 01:20:00
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COVERED = "INCLUDE (seq, status, published_at, created_at)"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has no INCLUDE; its browses are small
    op.execute("DROP INDEX ix_core_newest")
    op.execute("DROP INDEX ix_core_title")
    op.execute(
        "CREATE INDEX ix_core_newest ON core ((coalesce(published_at, created_at)) DESC, "
        f"id) {COVERED}"
    )
    op.execute(f"CREATE INDEX ix_core_title ON core (title_en, id) {COVERED}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_core_title")
    op.execute("DROP INDEX ix_core_newest")
    op.execute(
        "CREATE INDEX ix_core_newest ON core ((coalesce(published_at, created_at)) DESC, id)"
    )
    op.execute("CREATE INDEX ix_core_title ON core (title_en, id)")
