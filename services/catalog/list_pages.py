"""Keyset pagination of the catalog's lists in SQL: rows in the order of creation, one page
after the cursor's (created_at, id), read one row more than the page to know whether another
follows."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.catalog.domain.list_cursor import PageRequest, page_and_next


def page_of(
    session: Session, query: sa.Select, entity, page: PageRequest
) -> tuple[list, str | None]:
    """The page of `query` (rows of `entity`, which has created_at and id) and the next
    cursor."""
    after = page.after()
    if after is not None:
        created_at, last_id = after
        query = query.where(
            sa.or_(
                entity.created_at > created_at,
                sa.and_(entity.created_at == created_at, entity.id > last_id),
            )
        )
    rows = list(session.scalars(query.order_by(entity.created_at, entity.id).limit(page.limit + 1)))
    return page_and_next(rows, page.limit)
