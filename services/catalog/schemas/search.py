"""Schemas of core search: its query parameters and its result."""

from __future__ import annotations

from marshmallow import fields, validate

from services.catalog.domain import taxonomy
from services.catalog.domain.search_query import MAX_LIMIT, SORTS
from services.catalog.schemas.cores import CoreSummarySchema
from shared import bounds
from shared.bounds import Schema
from shared.events.catalog import REGIONS


def _facet(values=None, **kwargs) -> fields.List:
    """A facet filter: ?category=memories&category=memories_phys means either of them; a value
    outside a fixed vocabulary is a 422 naming the parameter, not an empty result."""
    return fields.List(
        fields.String(
            validate=validate.OneOf(values) if values else validate.Length(max=bounds.MAX_CODE)
        ),
        validate=validate.Length(max=bounds.MAX_LIST),
        **kwargs,
    )


class SearchArgsSchema(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=200))
    sort = fields.String(validate=validate.OneOf(SORTS))
    cursor = fields.String(validate=validate.Length(max=500))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_LIMIT))
    category = _facet(list(taxonomy.CATEGORIES))
    foundry = _facet()
    node = _facet()
    maturity = _facet(taxonomy.MATURITIES)
    standard = _facet()
    deliverable = _facet(taxonomy.DELIVERABLE_KINDS)
    region = _facet(REGIONS)
    price = _facet([band for band, _ in taxonomy.PRICE_BANDS] + [taxonomy.ON_REQUEST])
    status = _facet(taxonomy.STATUSES)
    vendor = _facet(metadata={"description": "Organisation ids."})


class Dumped(fields.Nested):
    """A nested object that is already a dump of its schema (search keeps each core's summary
    dumped until the core changes): passed through, and documented as the schema."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class SearchResultSchema(Schema):
    items = fields.List(Dumped(CoreSummarySchema))
    total = fields.Integer()
    # search_cores() builds the counts as plain JSON ({"value", "count"} lists): passed through
    # as they are, since dumping some 150 of them through a nested schema was a quarter of a
    # search's time. Their shape is documented here instead.
    facets = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(
            metadata={
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"value": {"type": "string"}, "count": {"type": "integer"}},
                },
            }
        ),
    )
    next = fields.String(
        allow_none=True,
        metadata={
            "description": "The cursor of the next page (pass it as ?cursor=, same sort), or null "
            "on the last page."
        },
    )
