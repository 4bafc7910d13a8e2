"""license_request.comments: every decision's comment with its author and time (an operator's
review comment was overwritten by the vendor's); filled from the audit log for older requests

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 02:40:00
"""

import sqlalchemy as sa
from alembic import op

import shared.db.schema

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The audit actions of decisions that carry a comment, and the decision each records.
DECISIONS = {
    "request.review_allow": "review_allow",
    "request.review_deny": "review_deny",
    "request.approved": "approved",
    "request.rejected": "rejected",
}


def upgrade() -> None:
    with op.batch_alter_table("license_request", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "comments",
                shared.db.schema.JSONDocument(),
                nullable=False,
                server_default=sa.text("'[]'"),
            )
        )

    audit = sa.table(
        "audit_entry",
        sa.column("seq", sa.Integer),
        sa.column("at", shared.db.schema.UTCDateTime()),
        sa.column("actor_id", sa.String),
        sa.column("actor_role", sa.String),
        sa.column("action", sa.String),
        sa.column("subject_id", sa.String),
        sa.column("details", shared.db.schema.JSONDocument()),
    )
    requests = sa.table(
        "license_request",
        sa.column("id", sa.String),
        sa.column("comments", shared.db.schema.JSONDocument()),
    )
    connection = op.get_bind()
    comments: dict[str, list] = {}
    for entry in connection.execute(
        sa.select(audit).where(audit.c.action.in_(list(DECISIONS))).order_by(audit.c.seq)
    ):
        if (entry.details or {}).get("comment") is None:
            continue
        comments.setdefault(entry.subject_id, []).append(
            {
                "author_id": entry.actor_id,
                "author_role": entry.actor_role,
                "decision": DECISIONS[entry.action],
                "comment": entry.details["comment"],
                "at": entry.at.isoformat(),
            }
        )
    for request_id, entries in comments.items():
        connection.execute(
            requests.update().where(requests.c.id == request_id).values(comments=entries)
        )


def downgrade() -> None:
    with op.batch_alter_table("license_request", schema=None) as batch_op:
        batch_op.drop_column("comments")
