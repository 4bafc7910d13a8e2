"""Schemas of claims of VLNV vendor names."""

from __future__ import annotations

from marshmallow import fields, validate

from services.catalog.domain.vendor_names import STATUSES
from services.catalog.schemas.common import ListArgsSchema
from shared.bounds import Schema


class VendorNameClaimCreateSchema(Schema):
    name = fields.String(
        required=True,
        # The domain's rule (services/catalog/domain/vendor_names.NAME), spaces around allowed.
        validate=[validate.Length(min=1, max=128), validate.Regexp(r"^\s*[A-Za-z0-9_.\-]+\s*$")],
        metadata={
            "description": "A VLNV vendor name, e.g. your domain name (compared without case)."
        },
    )


class VendorNameDecisionSchema(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class VendorNameClaimSchema(Schema):
    id = fields.String()
    organisation_id = fields.String()
    name = fields.String()
    status = fields.String(validate=validate.OneOf(STATUSES))
    reason = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    decided_at = fields.AwareDateTime(allow_none=True)


class VendorNameClaimArgsSchema(ListArgsSchema):
    status = fields.String(validate=validate.OneOf(STATUSES))
