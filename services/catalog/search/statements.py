"""The SQL both search backends build on: what a result row reads, who sees what, the sort keys
and keyset conditions of cursor pagination."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.dialects.postgresql import ARRAY

from services.catalog.domain.access import Viewer
from services.catalog.models import Core

SUMMARY_COLUMNS = (
    "id",
    "vendor_id",
    "vendor_region",
    "vlnv_vendor",
    "vlnv_library",
    "vlnv_name",
    "vlnv_version",
    "status",
    "title_en",
    "title_zh",
    "category",
    "standards",
    "deliverable_kinds",
    "targets",
    "price_band",
    "published_at",
    "created_at",
    "updated_at",
    "version",  # with the four above, its stamp (records.CoreStamp)
)
# A result lists summaries: leave the big JSON columns (offers, file sets…) unread.
SUMMARIES = sa.select(Core).options(
    sa.orm.load_only(*(getattr(Core, name) for name in SUMMARY_COLUMNS))
)
FACET_ARRAY = sa.literal_column("core.facet_array", ARRAY(sa.Text))


def visible_condition(viewer: Viewer | None):
    """domain.access.may_see_core in SQL."""
    if viewer is not None and viewer.is_admin:
        return sa.true()
    if viewer is None:
        return Core.status == "published"
    return sa.or_(Core.status == "published", Core.vendor_id == viewer.organisation_id)


def sort_key(sort: str, rank):
    """(the column a sort orders by, whether descending); `rank` is the backend's relevance."""
    if sort == "relevance":
        return rank, True
    if sort == "title":
        return Core.title_en, False
    return sa.func.coalesce(Core.published_at, Core.created_at), True


def after(key, core_id, descending: bool, value, last_id):
    """Keyset condition: the rows after the cursor's (key, id) in the search's order."""
    beyond = key < value if descending else key > value
    return sa.or_(beyond, sa.and_(key == value, core_id > last_id))


def order(key, core_id, descending: bool):
    return key.desc() if descending else key.asc(), core_id
