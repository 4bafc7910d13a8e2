"""Schemas of IP cores: the core, its offers and targets, its versions, and what an IP-XACT
import finds (file sets, parameters; its bus interfaces, ports and memory maps in ipxact.py)."""

from __future__ import annotations

import re

from marshmallow import ValidationError, fields, validate

from services.catalog.domain import taxonomy
from services.catalog.domain.core_fields import ECCN
from services.catalog.domain.lifecycle import STATUSES
from services.catalog.schemas.common import COUNTRY, NOT_BLANK, SHA256, URL, VLNV_PART, Name
from services.catalog.schemas.ipxact import BusInterfaceSchema, MemoryMapSchema, PortSchema
from shared import bounds
from shared.bounds import Schema
from shared.events.catalog import REGIONS
from shared.http.api_docs import StrictBoolean


class VlnvSchema(Schema):
    vendor = fields.String(required=True, validate=[validate.Length(min=1, max=128), VLNV_PART])
    library = fields.String(required=True, validate=[validate.Length(min=1, max=128), VLNV_PART])
    name = fields.String(required=True, validate=[validate.Length(min=1, max=128), VLNV_PART])
    # As the vendor writes it ("1.2", "r1p0"): versions are ordered by services/catalog/versions.py.
    version = fields.String(required=True, validate=[validate.Length(min=1, max=64), VLNV_PART])


class TargetSchema(Schema):
    foundry = fields.String(required=True, validate=[validate.Length(min=1, max=64), NOT_BLANK])
    node = fields.String(required=True, validate=[validate.Length(min=1, max=32), NOT_BLANK])
    maturity = fields.String(required=True, validate=validate.OneOf(taxonomy.MATURITIES))


class DocumentSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(taxonomy.DOCUMENT_KINDS))
    title = Name(required=True)
    url = fields.String(
        load_default=None, allow_none=True, validate=[validate.Length(max=bounds.MAX_URL), URL]
    )
    sha256 = fields.String(required=True, validate=SHA256)


class DeliverableSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(taxonomy.DELIVERABLE_KINDS))
    name = Name(required=True)
    sha256 = fields.String(required=True, validate=SHA256)


class ExactDecimal(fields.Decimal):
    """A decimal sent and answered as a JSON string (exact, never a float), matching `pattern`;
    documented as such."""

    def __init__(self, pattern: str, example: str, **kwargs):
        super().__init__(
            as_string=True,
            metadata={"type": "string", "pattern": pattern, "examples": [example]},
            **kwargs,
        )
        self.pattern = re.compile(pattern)
        self.example = example

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not self.pattern.match(value):
            raise ValidationError(f"must be a decimal string such as {self.example!r}")
        return super()._deserialize(value, attr, data, **kwargs)


class MoneySchema(Schema):
    amount = ExactDecimal(r"^[0-9]{1,13}(\.[0-9]{1,2})?$", "25000.00", required=True, places=2)
    currency = fields.String(required=True, validate=validate.OneOf(taxonomy.CURRENCIES))


class OfferSchema(Schema):
    class Meta:
        # What cores._offers refuses besides: an offer other than an evaluation has a price or
        # is on request; a royalty-bearing one states its royalty.
        json_schema = {
            "allOf": [
                {
                    "anyOf": [
                        {"properties": {"kind": {"const": "evaluation"}}},
                        {"properties": {"price": {"type": "object"}}, "required": ["price"]},
                        {"properties": {"on_request": {"const": True}}, "required": ["on_request"]},
                    ]
                },
                {
                    "if": {"properties": {"kind": {"const": "royalty_bearing"}}},
                    "then": {
                        "properties": {"royalty_percent": {"type": "string"}},
                        "required": ["royalty_percent"],
                    },
                },
            ]
        }

    offer_id = fields.String(
        validate=validate.Length(min=1, max=bounds.MAX_CODE),
        metadata={"description": "Keep an offer's id when changing it."},
    )
    kind = fields.String(required=True, validate=validate.OneOf(taxonomy.OFFER_KINDS))
    price = fields.Nested(MoneySchema, allow_none=True, load_default=None)
    on_request = StrictBoolean(load_default=False)
    term_months = fields.Integer(
        allow_none=True, load_default=None, validate=validate.Range(min=1, max=600)
    )
    seats = fields.Integer(
        allow_none=True, load_default=None, validate=validate.Range(min=1, max=100000)
    )
    requires_approval = StrictBoolean(required=True)
    royalty_percent = ExactDecimal(
        r"^(100(\.0{1,4})?|[0-9]{1,2}(\.[0-9]{1,4})?)$", "2.5", allow_none=True, load_default=None
    )


def _list(item, **kw):
    return fields.List(item, validate=validate.Length(max=50), **kw)


class CoreUpdateSchema(Schema):
    class Meta:
        json_schema = {"minProperties": 1}  # a change that changes nothing is refused

    title_en = Name()
    title_zh = Name(allow_none=True)
    description_en = fields.String(validate=validate.Length(max=20000))
    description_zh = fields.String(allow_none=True, validate=validate.Length(max=20000))
    category = fields.String(allow_none=True, validate=validate.OneOf(taxonomy.CATEGORIES))
    deliverable_kinds = _list(fields.String(validate=validate.OneOf(taxonomy.DELIVERABLE_KINDS)))
    hdl_languages = _list(fields.String(validate=validate.OneOf(taxonomy.HDL_LANGUAGES)))
    standards = _list(fields.String(validate=[validate.Length(min=1, max=64), NOT_BLANK]))
    targets = _list(fields.Nested(TargetSchema))
    eccn = fields.String(
        allow_none=True,
        validate=[
            validate.Length(min=5, max=8),
            validate.Regexp(ECCN, error="must be an ECCN (e.g. EAR99, 3E001)"),
        ],
    )
    territory_restrictions = _list(fields.String(validate=COUNTRY))
    documents = _list(fields.Nested(DocumentSchema))
    deliverables = _list(fields.Nested(DeliverableSchema))
    offers = fields.List(fields.Nested(OfferSchema), validate=validate.Length(max=10))


class CoreCreateSchema(CoreUpdateSchema):
    vlnv = fields.Nested(VlnvSchema, required=True)
    title_en = Name(required=True)


class CoreSchema(CoreCreateSchema):
    id = fields.String()
    vendor_id = fields.String()
    vendor_region = fields.String(validate=validate.OneOf(REGIONS))
    status = fields.String(validate=validate.OneOf(STATUSES))
    price_band = fields.String()
    parameters = fields.List(fields.Dict())
    bus_interfaces = fields.List(fields.Nested(BusInterfaceSchema))
    file_sets = fields.List(fields.Dict())
    ports = fields.List(
        fields.Nested(PortSchema),
        metadata={"description": "The ports of an IP-XACT import (wire ports)."},
    )
    memory_maps = fields.List(
        fields.Nested(MemoryMapSchema),
        metadata={
            "description": "Memory maps of an IP-XACT import: address blocks, registers, fields."
        },
    )
    version = fields.Integer()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    published_at = fields.AwareDateTime(allow_none=True)


class CoreSummarySchema(Schema):
    id = fields.String()
    vendor_id = fields.String()
    vendor_region = fields.String(validate=validate.OneOf(REGIONS))
    vlnv = fields.Nested(VlnvSchema)
    status = fields.String(validate=validate.OneOf(STATUSES))
    title_en = fields.String()
    title_zh = fields.String(allow_none=True)
    category = fields.String(allow_none=True)
    standards = fields.List(fields.String())
    deliverable_kinds = fields.List(fields.String())
    targets = fields.List(fields.Nested(TargetSchema))
    price_band = fields.String()
    published_at = fields.AwareDateTime(allow_none=True)


class ImportArgsSchema(Schema):
    version = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={
            "description": "The version to use instead of the component's own (kept as written)."
        },
    )
    dry_run = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Check only: answer 200 with the draft the import would create "
            "(its id is not kept), storing nothing."
        },
    )


class CoreReadArgsSchema(Schema):
    include = fields.List(
        fields.String(validate=validate.OneOf(["versions"])),
        load_default=list,
        validate=validate.Length(max=1),
        metadata={
            "description": "versions: also every version of the core's line that you may see, "
            "as GET /v1/cores/{id}/versions lists them, in `versions` (a page shows a core "
            "with its versions in one request)."
        },
    )


class CoreWithVersionsSchema(CoreSchema):
    versions = fields.List(
        fields.Nested(CoreSummarySchema),
        metadata={"description": "With ?include=versions only: the line's versions, oldest first."},
    )
