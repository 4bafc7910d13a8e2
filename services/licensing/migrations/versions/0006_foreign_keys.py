"""foreign keys between licensing's own tables, checked at commit (DEFERRABLE INITIALLY
DEFERRED: rows written at commit go in table by table, not parents first)

A request's `license_id` has none: license.request_id (unique) already ties the two, and a
reference each way would make a cycle that SQLite's table rebuild cannot carry with data in it.
On SQLite each table is rebuilt (batch mode), parents before the tables that refer to them.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# (table, column, referred table), in an order where no table is rebuilt once another refers to it
FOREIGN_KEYS = [
    ("license", "request_id", "license_request"),
    ("quote", "request_id", "license_request"),
    ("purchase_order", "request_id", "license_request"),
    ("purchase_order", "quote_id", "quote"),
    ("purchase_order", "license_id", "license"),
    ("invoice", "order_id", "purchase_order"),
    ("payment", "order_id", "purchase_order"),
    ("expiry_notice", "license_id", "license"),
]


def _name(table: str, column: str, referred: str) -> str:
    return f"fk_{table}_{column}_{referred}"


def upgrade() -> None:
    for table in dict.fromkeys(t for t, _, _ in FOREIGN_KEYS):
        with op.batch_alter_table(table) as batch:
            for _, column, referred in (fk for fk in FOREIGN_KEYS if fk[0] == table):
                batch.create_foreign_key(
                    _name(table, column, referred),
                    referred,
                    [column],
                    ["id"],
                    deferrable=True,
                    initially="DEFERRED",
                )


def downgrade() -> None:
    for table in reversed(dict.fromkeys(t for t, _, _ in FOREIGN_KEYS)):
        with op.batch_alter_table(table) as batch:
            for _, column, referred in (fk for fk in FOREIGN_KEYS if fk[0] == table):
                batch.drop_constraint(_name(table, column, referred), type_="foreignkey")
