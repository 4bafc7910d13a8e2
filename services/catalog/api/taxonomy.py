"""GET /v1/cores/taxonomy: the fixed vocabularies."""

from __future__ import annotations

from services.catalog.domain import taxonomy
from services.catalog.schemas import TaxonomySchema
from shared.http.api_docs import Blueprint

blp = Blueprint(
    "taxonomy", __name__, url_prefix="/v1/cores", description="The catalog's fixed vocabularies."
)


@blp.get("/taxonomy")
@blp.response(200, TaxonomySchema)
def read_taxonomy():
    """The fixed vocabularies: categories, deliverable kinds, maturities, offer kinds…"""
    return {
        "categories": taxonomy.CATEGORIES,
        "deliverable_kinds": taxonomy.DELIVERABLE_KINDS,
        "hdl_languages": taxonomy.HDL_LANGUAGES,
        "maturities": taxonomy.MATURITIES,
        "offer_kinds": taxonomy.OFFER_KINDS,
        "currencies": taxonomy.CURRENCIES,
        "document_kinds": taxonomy.DOCUMENT_KINDS,
        "standards": taxonomy.KNOWN_STANDARDS,
        "price_bands": [b for b, _ in taxonomy.PRICE_BANDS] + [taxonomy.ON_REQUEST],
    }
