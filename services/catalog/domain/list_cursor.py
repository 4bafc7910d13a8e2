"""Cursors of the catalog's lists (organisations, API keys, vendor-name claims): each list is in
the order of creation, and a cursor names the last item of a page by (created_at, id), so the
next page starts right after it even when items are added meanwhile (keyset pagination)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from shared.errors import Invalid


@dataclass(frozen=True)
class PageRequest:
    cursor: str | None = None
    limit: int = 100

    def after(self) -> tuple[datetime, str] | None:
        return decode_cursor(self.cursor) if self.cursor else None


FIRST_PAGE = PageRequest()


def encode_cursor(created_at: datetime, item_id: str) -> str:
    raw = json.dumps([created_at.isoformat(), item_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """(created_at, id) of the item a cursor names, or Invalid naming the cursor."""
    try:
        created, item_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        created_at = datetime.fromisoformat(created)
        if created_at.tzinfo is None or not isinstance(item_id, str):
            raise ValueError("a cursor names an aware time and an id")
        return created_at, item_id
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise Invalid("not a cursor of this list", field="cursor") from None


def page_and_next(items: list, limit: int) -> tuple[list, str | None]:
    """The page (one item more than `limit` was read to know whether another follows) and the
    cursor of the next page, or None on the last one."""
    if len(items) <= limit:
        return items, None
    items = items[:limit]
    return items, encode_cursor(items[-1].created_at, items[-1].id)
