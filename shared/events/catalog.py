"""Events published by the catalog: organisations, their API keys, IP cores.

Event-carried state transfer: each event holds the state the other services keep in their
projections, so that none of them ever has to ask the catalog.
"""
from marshmallow import fields, validate

from shared.events.registry import EventData, register

ROLES = ("vendor", "licensee", "admin")
LOCALES = ("en", "zh-Hans", "zh-Hant")
REGIONS = ("mainland_china", "hong_kong", "macau", "taiwan", "overseas")


class Contact(EventData):
    name = fields.String(required=True)
    email = fields.Email(required=True)
    notices = fields.List(fields.String(), required=True)


class Organisation(EventData):
    organisation_id = fields.String(required=True)
    legal_name_en = fields.String(required=True)
    legal_name_zh = fields.String(allow_none=True, load_default=None)
    country = fields.String(required=True, validate=validate.Length(equal=2))
    region = fields.String(required=True, validate=validate.OneOf(REGIONS))
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), required=True)
    locale = fields.String(required=True, validate=validate.OneOf(LOCALES))
    timezone = fields.String(required=True)
    contacts = fields.List(fields.Nested(Contact), required=True)
    version = fields.Integer(required=True)


@register("ipmarket.organisation.registered.v1")
class OrganisationRegistered(Organisation):
    pass


@register("ipmarket.organisation.updated.v1")
class OrganisationUpdated(Organisation):
    pass


@register("ipmarket.api_key.created.v1")
class ApiKeyCreated(EventData):
    key_id = fields.String(required=True)
    organisation_id = fields.String(required=True)
    name = fields.String(required=True)
    # SHA-256 of the key: enough for another service to recognise it, useless to present.
    key_hash = fields.String(required=True, validate=validate.Length(equal=64))
    created_at = fields.AwareDateTime(required=True)


@register("ipmarket.api_key.revoked.v1")
class ApiKeyRevoked(EventData):
    key_id = fields.String(required=True)
    organisation_id = fields.String(required=True)
    revoked_at = fields.AwareDateTime(required=True)
