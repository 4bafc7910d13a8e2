"""Quotes keep the offer they were made from (as it stood when sent), so that one already
priced can be accepted after the vendor edits or removes the offer

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

import shared.db.schema

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quote") as batch_op:
        batch_op.add_column(sa.Column("offer", shared.db.schema.JSONDocument(), nullable=True))
    # Quotes made before: the offer as licensing knows it now, where it still has it.
    document = shared.db.schema.JSONDocument()
    quote = sa.table(
        "quote",
        sa.column("id"),
        sa.column("core_id"),
        sa.column("offer_id"),
        sa.column("offer", document),
    )
    known_core = sa.table("known_core", sa.column("core_id"), sa.column("offers", document))
    bind = op.get_bind()
    offers = dict(bind.execute(sa.select(known_core.c.core_id, known_core.c.offers)).all())
    rows = bind.execute(sa.select(quote.c.id, quote.c.core_id, quote.c.offer_id)).all()
    for quote_id, core_id, offer_id in rows:
        offer = next((o for o in offers.get(core_id) or [] if o["offer_id"] == offer_id), None)
        if offer is not None:
            bind.execute(sa.update(quote).where(quote.c.id == quote_id).values(offer=offer))


def downgrade() -> None:
    with op.batch_alter_table("quote") as batch_op:
        batch_op.drop_column("offer")
