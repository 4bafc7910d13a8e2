"""Schema of the catalog's fixed vocabularies."""

from __future__ import annotations

from marshmallow import fields

from shared.bounds import Schema


class TaxonomySchema(Schema):
    categories = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "Category id → its English name."},
    )
    deliverable_kinds = fields.List(fields.String())
    hdl_languages = fields.List(fields.String())
    maturities = fields.List(fields.String())
    offer_kinds = fields.List(fields.String())
    currencies = fields.List(fields.String())
    document_kinds = fields.List(fields.String())
    standards = fields.List(fields.String(), metadata={"description": "Known spellings."})
    price_bands = fields.List(fields.String())
