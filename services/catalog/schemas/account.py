"""Schemas of a signed-in person's own account: who they are, their memberships, their
sessions."""

from __future__ import annotations

from marshmallow import fields, validate

from shared import roles
from shared.bounds import Schema
from shared.events.catalog import LOCALES


class AccountMembershipSchema(Schema):
    organisation_id = fields.String()
    legal_name_en = fields.String()
    legal_name_zh = fields.String(allow_none=True)
    kinds = fields.List(fields.String(), metadata={"description": "vendor, licensee, admin"})
    roles = fields.List(fields.String(validate=validate.OneOf(roles.ORGANISATION_ROLES)))
    timezone = fields.String(
        metadata={"description": "The organisation's time zone (IANA): the person's if unset."}
    )


class AccountSchema(Schema):
    person_id = fields.String()
    email = fields.String()
    name_en = fields.String()
    name_zh = fields.String(allow_none=True)
    locale = fields.String(
        allow_none=True,
        validate=validate.OneOf(LOCALES),
        metadata={"description": "null: the organisation's"},
    )
    timezone = fields.String(allow_none=True, metadata={"description": "null: the organisation's"})
    platform_roles = fields.List(fields.String(validate=validate.OneOf(roles.PLATFORM_ROLES)))
    memberships = fields.List(fields.Nested(AccountMembershipSchema))


class AccountSessionSchema(Schema):
    session_id = fields.String()
    user_agent = fields.String()
    client_address = fields.String()
    created_at = fields.AwareDateTime()
    last_seen_at = fields.AwareDateTime()
    current = fields.Boolean(metadata={"description": "the session this request is signed in with"})


class AccountSessionPageSchema(Schema):
    items = fields.List(fields.Nested(AccountSessionSchema))
    next = fields.String(allow_none=True, metadata={"description": "always null: one page"})


class SessionsEndedSchema(Schema):
    ended = fields.Integer(metadata={"description": "how many sessions ended"})


class SecondFactorCodeSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=6, max=8))


class RecoveryCodesSchema(Schema):
    recovery_codes = fields.List(
        fields.String(),
        metadata={
            "description": "Ten single-use codes for when the authenticator is lost: shown once."
        },
    )


class AccountSettingsSchema(Schema):
    """The person's own language and time zone: a field left out stays as it is, null is the
    organisation's (checked by services/catalog/domain/people.settings_problem)."""

    locale = fields.String(
        allow_none=True,
        validate=validate.OneOf(LOCALES),
        metadata={"description": f"{', '.join(LOCALES)}, or null"},
    )
    timezone = fields.String(
        allow_none=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "an IANA time zone such as Asia/Shanghai, or null"},
    )
