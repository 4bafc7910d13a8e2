"""Pages of a list, newest first, resumed by an opaque cursor: the (time, id) of the last row
shown, so that rows written meanwhile neither repeat nor go missing (keyset, not offset)."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

import sqlalchemy as sa

from shared.errors import Invalid


def encode_cursor(moment: datetime, row_id) -> str:
    raw = json.dumps([moment.isoformat(), row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, id_type: type = str) -> tuple[datetime, object]:
    """The (time, id) a cursor resumes after; Invalid (naming `cursor`) for one the API did not
    hand out."""
    try:
        moment, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if type(row_id) is not id_type or (id_type is int and not -(2**63) <= row_id < 2**63):
            raise TypeError(row_id)
        return datetime.fromisoformat(moment), row_id
    except (binascii.Error, ValueError, TypeError) as exc:
        raise Invalid("not a cursor this API handed out", field="cursor") from exc


def newest_first(
    query: sa.Select, time_column, id_column, cursor: str | None, limit: int
) -> sa.Select:
    """`query` ordered newest first, after `cursor`, one row more than `limit` (to know
    whether another page follows)."""
    if cursor:
        moment, row_id = decode_cursor(cursor, id_column.type.python_type)
        query = query.where(
            sa.or_(time_column < moment, sa.and_(time_column == moment, id_column < row_id))
        )
    return query.order_by(time_column.desc(), id_column.desc()).limit(limit + 1)


def page(rows: list, limit: int, position) -> dict:
    """{"items": the first `limit` rows, "next": the cursor after them, or null at the end};
    `position(row)` is a row's (time, id)."""
    if len(rows) <= limit:
        return {"items": rows, "next": None}
    return {"items": rows[:limit], "next": encode_cursor(*position(rows[limit - 1]))}


def whole(rows: list) -> dict:
    """A list that always comes in one page."""
    return {"items": rows, "next": None}
