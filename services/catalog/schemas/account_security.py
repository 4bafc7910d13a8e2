"""Schemas of keeping an account safe: password reset by e-mail, passkeys (WebAuthn), and an
organisation's requirement of a second factor."""

from __future__ import annotations

from marshmallow import fields, validate

from services.catalog.domain.passwords import MAX_LENGTH
from shared import bounds
from shared.bounds import Schema

TOKEN = validate.Length(min=1, max=300)


class PasswordResetRequestSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=bounds.MAX_EMAIL))


class PasswordResetRequestedSchema(Schema):
    status = fields.String(
        validate=validate.OneOf(("requested",)),
        metadata={
            "description": "Always this: an e-mail with a link is sent if the address has an "
            "account (the answer never tells whether it has)."
        },
    )


class PasswordResetSchema(Schema):
    token = fields.String(
        required=True, validate=TOKEN, metadata={"description": "From the e-mail's link."}
    )
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=1, max=MAX_LENGTH * 4),
        metadata={"description": "At least 15 characters, not a common password."},
    )


class PasswordResetDoneSchema(Schema):
    person_id = fields.String()
    sessions_ended = fields.Boolean(metadata={"description": "Every session has ended: sign in."})


class PasskeyOptionsRequestSchema(Schema):
    second_factor_token = fields.String(
        load_default=None,
        validate=TOKEN,
        metadata={
            "description": "After a right password: the passkey is the second factor. Without "
            "it: the passkey signs in alone."
        },
    )


class PasskeyCeremonySchema(Schema):
    ceremony_id = fields.String(metadata={"description": "Send it back with the credential."})
    options = fields.Dict(
        metadata={"description": "For navigator.credentials.create() or .get() (JSON form)."}
    )


class PasskeyCredentialSchema(Schema):
    ceremony_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    credential = fields.Dict(
        required=True,
        metadata={"description": "The PublicKeyCredential as JSON (toJSON(), base64url)."},
    )


class PasskeyEnrolSchema(PasskeyCredentialSchema):
    name = fields.String(
        load_default="passkey",
        validate=validate.Length(min=1, max=100),
        metadata={"description": "To tell your passkeys apart, e.g. 'laptop'."},
    )


class PasskeySchema(Schema):
    id = fields.String()
    name = fields.String()
    created_at = fields.AwareDateTime()
    last_used_at = fields.AwareDateTime(allow_none=True)


class PasskeyPageSchema(Schema):
    items = fields.List(fields.Nested(PasskeySchema))
    next = fields.String(allow_none=True, metadata={"description": "always null: one page"})


class PasskeyRemovedSchema(Schema):
    id = fields.String()
    removed = fields.Boolean()


class SecondFactorRequirementSchema(Schema):
    required = fields.Boolean(
        required=True,
        metadata={"description": "Whether every member must sign in with a second factor."},
    )


class SecondFactorRequirementStateSchema(Schema):
    organisation_id = fields.String()
    requires_second_factor = fields.Boolean()
