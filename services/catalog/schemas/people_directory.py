"""Schemas of the operator's view of people (/v1/people)."""

from __future__ import annotations

from marshmallow import fields, validate

from services.catalog.schemas.account import AccountMembershipSchema
from services.catalog.schemas.common import ListArgsSchema
from shared import bounds, roles
from shared.bounds import Schema
from shared.events.catalog import LOCALES


class PersonSchema(Schema):
    person_id = fields.String()
    email = fields.String()
    name_en = fields.String()
    name_zh = fields.String(allow_none=True)
    locale = fields.String(allow_none=True, validate=validate.OneOf(LOCALES))
    timezone = fields.String(allow_none=True)
    platform_roles = fields.List(fields.String(validate=validate.OneOf(roles.PLATFORM_ROLES)))
    disabled = fields.Boolean()
    second_factor = fields.Boolean(metadata={"description": "an authenticator app in force"})
    created_at = fields.AwareDateTime()
    memberships = fields.List(fields.Nested(AccountMembershipSchema))


class PeopleListArgsSchema(ListArgsSchema):
    email = fields.String(
        validate=validate.Length(min=1, max=bounds.MAX_EMAIL),
        metadata={"description": "whose address contains this (any case; a whole address too)"},
    )
    platform_role = fields.String(validate=validate.OneOf(roles.PLATFORM_ROLES))


class PlatformRolesSchema(Schema):
    roles = fields.List(
        fields.String(validate=validate.OneOf(roles.PLATFORM_ROLES)),
        required=True,
        validate=validate.Length(max=len(roles.PLATFORM_ROLES)),
        metadata={"description": "all the person's platform roles from now on ([]: none)"},
    )
