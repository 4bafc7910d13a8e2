"""Schemas of people joining: organisation applications, invitations, accepting them."""

from __future__ import annotations

from marshmallow import fields, validate

from services.catalog.domain.organisation_profile import time_zones
from services.catalog.domain.passwords import MAX_LENGTH
from services.catalog.domain.people import APPLICATION_DECISIONS, ORGANISATION_KINDS
from services.catalog.schemas.common import COUNTRY, ListArgsSchema, Name
from shared import bounds, roles
from shared.bounds import Schema
from shared.events.catalog import LOCALES

EMAIL = validate.Length(max=bounds.MAX_EMAIL)
PERSON_NAME = validate.Length(min=1, max=200)
APPLICATION_STATUSES = ("pending", *APPLICATION_DECISIONS)


class ApplicationCreateSchema(Schema):
    legal_name_en = Name(required=True)
    legal_name_zh = Name(allow_none=True, load_default=None)
    country = fields.String(required=True, validate=COUNTRY)
    registration_number = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={
            "description": "Business registration number (e.g. the unified social credit code)"
        },
    )
    roles = fields.List(
        fields.String(validate=validate.OneOf(ORGANISATION_KINDS)),
        required=True,
        validate=validate.Length(min=1, max=2),
    )
    contact_name = fields.String(required=True, validate=PERSON_NAME)
    contact_email = fields.Email(
        required=True,
        validate=EMAIL,
        metadata={
            "description": "Invited as the organisation's owner once the application is approved."
        },
    )
    locale = fields.String(load_default="en", validate=validate.OneOf(LOCALES))
    timezone = fields.String(load_default="UTC", validate=validate.OneOf(time_zones()))


class ApplicationSchema(Schema):
    id = fields.String()
    legal_name_en = fields.String()
    legal_name_zh = fields.String(allow_none=True)
    country = fields.String()
    registration_number = fields.String()
    roles = fields.List(fields.String(validate=validate.OneOf(ORGANISATION_KINDS)))
    contact_name = fields.String()
    contact_email = fields.String()
    locale = fields.String(validate=validate.OneOf(LOCALES))
    timezone = fields.String()
    status = fields.String(validate=validate.OneOf(APPLICATION_STATUSES))
    reason = fields.String(allow_none=True)
    organisation_id = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    decided_at = fields.AwareDateTime(allow_none=True)


class ApplicationArgsSchema(ListArgsSchema):
    status = fields.String(validate=validate.OneOf(APPLICATION_STATUSES))


class ApplicationDecisionSchema(Schema):
    reason = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=bounds.MAX_TEXT)
    )


class InvitationCreateSchema(Schema):
    email = fields.Email(required=True, validate=EMAIL)
    roles = fields.List(
        fields.String(validate=validate.OneOf(roles.ORGANISATION_ROLES)),
        required=True,
        validate=validate.Length(min=1, max=6),
    )


class InvitationSchema(Schema):
    id = fields.String()
    organisation_id = fields.String()
    email = fields.String()
    roles = fields.List(fields.String(validate=validate.OneOf(roles.ORGANISATION_ROLES)))
    created_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime()
    accepted_at = fields.AwareDateTime(allow_none=True)


class AcceptInvitationSchema(Schema):
    token = fields.String(
        required=True,
        validate=validate.Length(min=1, max=300),
        metadata={"description": "The token of the link in the invitation e-mail."},
    )
    name_en = fields.String(
        load_default=None,
        validate=PERSON_NAME,
        metadata={"description": "Your name in English (required when you have no account yet)."},
    )
    name_zh = fields.String(load_default=None, allow_none=True, validate=PERSON_NAME)
    password = fields.String(
        load_default=None,
        validate=validate.Length(max=MAX_LENGTH * 4),
        load_only=True,
        metadata={
            "description": "Required when you have no account yet: at least 15 characters, not a "
            "common password (a few words make a good one)."
        },
    )


class MemberRolesSchema(Schema):
    roles = fields.List(
        fields.String(validate=validate.OneOf(roles.ORGANISATION_ROLES)),
        required=True,
        validate=validate.Length(min=1, max=len(roles.ORGANISATION_ROLES)),
    )


class MembershipSchema(Schema):
    person_id = fields.String()
    organisation_id = fields.String()
    roles = fields.List(fields.String(validate=validate.OneOf(roles.ORGANISATION_ROLES)))
    name_en = fields.String()
    name_zh = fields.String(allow_none=True)
    email = fields.String()
    joined_at = fields.AwareDateTime()


class MemberSchema(MembershipSchema):
    has_second_factor = fields.Boolean(
        metadata={"description": "Whether the member has an authenticator app or a passkey."}
    )


# --- signing in -------------------------------------------------------------------------------


class SignInSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=bounds.MAX_EMAIL))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=MAX_LENGTH * 4)
    )


class SecondFactorSchema(Schema):
    second_factor_token = fields.String(required=True, validate=validate.Length(min=1, max=300))
    code = fields.String(
        required=True,
        validate=validate.Length(min=6, max=16),
        metadata={"description": "The 6-digit code of your authenticator app, or a recovery code."},
    )


class RefreshSchema(Schema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=100))


class SignInResultSchema(Schema):
    status = fields.String(
        validate=validate.OneOf(("signed_in", "second_factor_needed", "second_factor_setup_needed"))
    )
    session_id = fields.String(allow_none=True)
    access_token = fields.String(
        allow_none=True,
        metadata={"description": "EdDSA-signed (JWS compact), valid for 5 minutes: refresh it."},
    )
    access_token_expires_at = fields.AwareDateTime(allow_none=True)
    refresh_token = fields.String(
        allow_none=True,
        metadata={"description": "Shown once; each use returns a new one and retires this."},
    )
    second_factor_token = fields.String(
        allow_none=True,
        metadata={
            "description": "With status second_factor_needed: send it with a code within 5 "
            "minutes (POST /v1/sessions/second-factor); with "
            "second_factor_setup_needed: set one up first "
            "(POST /v1/sessions/second-factor/setup, then …/confirm)."
        },
    )


class SecondFactorSetupSchema(Schema):
    second_factor_token = fields.String(required=True, validate=validate.Length(min=1, max=300))


class SecondFactorSecretSchema(Schema):
    otpauth_uri = fields.String(
        metadata={
            "description": "otpauth:// URI of the new TOTP secret, for the authenticator's QR code."
        }
    )


class SignedInWithRecoveryCodesSchema(SignInResultSchema):
    recovery_codes = fields.List(
        fields.String(),
        metadata={
            "description": "Ten single-use codes for when the authenticator is lost: shown once."
        },
    )
