"""GET /v1/cores: search."""

from __future__ import annotations

from marshmallow import RAISE

from services.catalog.api.common import principal_or_none
from services.catalog.schemas import CoreSummarySchema, SearchArgsSchema, SearchResultSchema
from services.catalog.search import FACETS, SearchQuery, search_cores
from shared.http.api_docs import Blueprint
from shared.http.context import service_context

blp = Blueprint(
    "search",
    __name__,
    url_prefix="/v1/cores",
    description="Search IP cores: full text, facets, filters, cursors.",
)
SUMMARY = CoreSummarySchema()


@blp.get("")
# An instance, not the class: webargs would build a new schema for every search.
@blp.arguments(SearchArgsSchema(), location="query", unknown=RAISE)
@blp.response(200, SearchResultSchema)
def search(args):
    """Search published cores (and your own): full text, facets with counts, filters,
    sorting, cursor pagination. Anyone may search; drafts are seen only by their vendor."""
    query = SearchQuery(
        text=args["q"],
        sort=args.get("sort"),
        cursor=args.get("cursor"),
        limit=args["limit"],
        filters={f: args[f] for f in FACETS if args.get(f)},
    )
    with service_context().session_factory() as session:
        result = search_cores(session, principal_or_none(), query, SUMMARY.dump)
    return {
        "items": result.items,
        "total": result.total,
        "facets": result.facets,
        "next": result.next_cursor,
    }
