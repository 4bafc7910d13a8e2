"""marshmallow schemas of the catalog's HTTP API, one module per resource. marshmallow rejects
unknown fields by default (RAISE), so a misspelt field is a 422 naming it rather than silently
ignored."""

from services.catalog.schemas.common import ListArgsSchema, page_schema
from services.catalog.schemas.cores import (
    CoreCreateSchema,
    CoreReadArgsSchema,
    CoreSchema,
    CoreSummarySchema,
    CoreUpdateSchema,
    CoreWithVersionsSchema,
    ImportArgsSchema,
)
from services.catalog.schemas.organisations import (
    ApiKeyCreateSchema,
    ApiKeySchema,
    NewApiKeySchema,
    OrganisationCreateSchema,
    OrganisationSchema,
    OrganisationUpdateSchema,
)
from services.catalog.schemas.search import SearchArgsSchema, SearchResultSchema
from services.catalog.schemas.taxonomy import TaxonomySchema
from services.catalog.schemas.vendor_names import (
    VendorNameClaimArgsSchema,
    VendorNameClaimCreateSchema,
    VendorNameClaimSchema,
    VendorNameDecisionSchema,
)

__all__ = [
    "ApiKeyCreateSchema",
    "ApiKeySchema",
    "CoreCreateSchema",
    "CoreReadArgsSchema",
    "CoreSchema",
    "CoreSummarySchema",
    "CoreUpdateSchema",
    "CoreWithVersionsSchema",
    "ImportArgsSchema",
    "ListArgsSchema",
    "NewApiKeySchema",
    "OrganisationCreateSchema",
    "OrganisationSchema",
    "OrganisationUpdateSchema",
    "SearchArgsSchema",
    "SearchResultSchema",
    "TaxonomySchema",
    "VendorNameClaimArgsSchema",
    "VendorNameClaimCreateSchema",
    "VendorNameClaimSchema",
    "VendorNameDecisionSchema",
    "page_schema",
]
