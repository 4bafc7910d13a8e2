"""Licenses: queries, renewal, verification, the license as the API answers it, the JWKS."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from services.licensing.schemas.common import NEXT, VLNV, Page, State, Timestamp
from shared.bounds import Schema
from shared.events.licensing import LICENSE_STATES


class LicenseQuery(Page):
    state = fields.String(validate=validate.OneOf(LICENSE_STATES))


class Renewal(Schema):
    class Meta:
        json_schema = {"oneOf": [{"required": ["months"]}, {"required": ["expires_at"]}]}

    months = fields.Integer(validate=validate.Range(min=1, max=120))
    expires_at = fields.AwareDateTime()

    @validates_schema
    def one_of(self, data, **_):
        if ("months" in data) == ("expires_at" in data):
            raise ValidationError("give either months or expires_at", "months")


class VerifyIn(Schema):
    license = fields.String(required=True, validate=validate.Length(min=1, max=65536))
    core = fields.String(validate=VLNV)


class LicenseOut(Schema):
    id = fields.String()
    state = State(LICENSE_STATES)
    state_reason = fields.String(allow_none=True)
    request_id = fields.String()
    licensee_id = fields.String()
    vendor_id = fields.String()
    core_id = fields.String()
    claims = fields.Dict(metadata={"description": "What the signed token says."})
    kid = fields.String()
    token = fields.String(metadata={"description": "Compact JWS (EdDSA) of `claims`."})
    not_before = Timestamp()
    expires_at = Timestamp(allow_none=True, metadata={"description": "None: perpetual"})
    issued_at = Timestamp()
    updated_at = Timestamp()


class LicensePage(Schema):
    items = fields.List(fields.Nested(LicenseOut))
    next = NEXT()


class VerificationOut(Schema):
    result = fields.String(
        metadata={
            "enum": [
                "VALID",
                "EXPIRED",
                "NOT_YET_VALID",
                "SUSPENDED",
                "REVOKED",
                "BAD_SIGNATURE",
                "UNKNOWN_KEY",
                "MALFORMED",
                "WRONG_CORE",
            ]
        }
    )
    valid = fields.Boolean()
    detail = fields.String()
    license_id = fields.String(allow_none=True)
    claims = fields.Dict(allow_none=True)


class Jwk(Schema):
    kty = fields.String()
    crv = fields.String()
    x = fields.String()
    kid = fields.String()
    alg = fields.String()
    use = fields.String()


class Jwks(Schema):
    keys = fields.List(fields.Nested(Jwk))
