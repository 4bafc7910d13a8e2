"""Schemas of a request for IP (POST /v1/ip-requests)."""

from __future__ import annotations

from marshmallow import fields, validate

from services.catalog.domain.ip_requests import MAX_CODE, MAX_DESCRIPTION, MIN_DESCRIPTION
from services.catalog.domain.taxonomy import CATEGORIES
from shared import bounds
from shared.bounds import Schema

CONTACT_NAME = validate.Length(min=1, max=200)


class IpRequestCreateSchema(Schema):
    category = fields.String(required=True, validate=validate.OneOf(tuple(CATEGORIES)))
    description = fields.String(
        required=True,
        validate=validate.Length(min=MIN_DESCRIPTION, max=MAX_DESCRIPTION),
        metadata={"description": "What is needed: function, interfaces, performance, volume."},
    )
    node = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=MAX_CODE))
    foundry = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=MAX_CODE)
    )
    contact_name = fields.String(required=True, validate=CONTACT_NAME)
    contact_email = fields.Email(required=True, validate=validate.Length(max=bounds.MAX_EMAIL))


class IpRequestSchema(Schema):
    ip_request_id = fields.String(attribute="id", required=True)
    organisation_id = fields.String(required=True)
    category = fields.String(required=True)
    description = fields.String(required=True)
    node = fields.String(allow_none=True)
    foundry = fields.String(allow_none=True)
    contact_name = fields.String(required=True)
    contact_email = fields.String(required=True)
    vendors_told = fields.Integer(
        required=True, metadata={"description": "How many vendors of the category are told."}
    )
    created_at = fields.DateTime(required=True)
