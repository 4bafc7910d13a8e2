"""Schemas of organisations and their API keys."""

from __future__ import annotations

from marshmallow import fields, validate

from services.catalog.domain.organisation_profile import time_zones
from services.catalog.schemas.common import COUNTRY, Name
from shared import bounds
from shared import roles as role_table
from shared.bounds import Schema
from shared.events.catalog import LOCALES, REGIONS, ROLES
from shared.events.notices import notice_choices


class ContactSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(required=True, validate=validate.Length(max=bounds.MAX_EMAIL))
    notices = fields.List(
        fields.String(validate=validate.OneOf(notice_choices())),
        required=True,
        validate=validate.Length(max=bounds.MAX_NOTICES),
        metadata={
            "description": (
                "'all', a group of event types ('license', 'core', 'order', …) or one event type"
            )
        },
    )


class OrganisationUpdateSchema(Schema):
    class Meta:
        json_schema = {"minProperties": 1}  # a change that changes nothing is refused

    legal_name_en = Name()
    legal_name_zh = Name(allow_none=True)
    country = fields.String(validate=COUNTRY)
    roles = fields.List(
        fields.String(validate=validate.OneOf(ROLES)), validate=validate.Length(min=1)
    )
    locale = fields.String(validate=validate.OneOf(LOCALES))
    timezone = fields.String(validate=validate.OneOf(time_zones()))
    contacts = fields.List(fields.Nested(ContactSchema), validate=validate.Length(max=20))


class OrganisationCreateSchema(OrganisationUpdateSchema):
    legal_name_en = Name(required=True)
    country = fields.String(required=True, validate=COUNTRY)
    roles = fields.List(
        fields.String(validate=validate.OneOf(ROLES)),
        required=True,
        validate=validate.Length(min=1),
    )
    locale = fields.String(load_default="en", validate=validate.OneOf(LOCALES))
    timezone = fields.String(load_default="UTC", validate=validate.OneOf(time_zones()))
    contacts = fields.List(
        fields.Nested(ContactSchema), load_default=list, validate=validate.Length(max=20)
    )


class OrganisationSchema(OrganisationCreateSchema):
    id = fields.String()
    region = fields.String(validate=validate.OneOf(REGIONS))
    requires_second_factor = fields.Boolean(
        dump_only=True,
        metadata={
            "description": "Whether every member signs in with a second factor (PUT "
            "…/second-factor-requirement)."
        },
    )
    version = fields.Integer()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class ApiKeyCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    scopes = fields.List(
        fields.String(validate=validate.OneOf(role_table.KEY_SCOPES)),
        load_default=lambda: [role_table.OWNER],
        validate=validate.Length(min=1, max=len(role_table.KEY_SCOPES)),
        metadata={
            "description": 'The roles the key acts with (least privilege): e.g. ["publisher"] '
            "for an upload script. Platform roles for the platform's own keys only. "
            'Default ["owner"]: all the organisation may do.'
        },
    )


class ApiKeySchema(Schema):
    id = fields.String()
    organisation_id = fields.String()
    name = fields.String()
    scopes = fields.List(fields.String())
    created_at = fields.AwareDateTime()
    last_used_at = fields.AwareDateTime(allow_none=True)
    revoked_at = fields.AwareDateTime(allow_none=True)


class NewApiKeySchema(ApiKeySchema):
    api_key = fields.String(metadata={"description": "The key itself: shown this once only."})


# --- cores -------------------------------------------------------------------------------------
