"""Schemas of a licensee's package, its short-lived links and the manifest keys' JWKS."""

from __future__ import annotations

from marshmallow import fields, validate

from services.deliverables.schemas.uploads import Strict
from shared.bounds import Schema


class PackageFileOut(Schema):
    package_file_id = fields.String(required=True)
    deliverable_id = fields.String(required=True)
    kind = fields.String(required=True)
    file_name = fields.String(required=True)
    size = fields.Integer(required=True, metadata={"description": "Of the plaintext."})
    sha256 = fields.String(required=True, metadata={"description": "Of the plaintext."})
    encrypted_size = fields.Integer(required=True)
    encrypted_sha256 = fields.String(required=True)
    url = fields.String(
        required=True,
        metadata={"description": "A short-lived link to the age ciphertext (Range supported)."},
    )
    expires_at = fields.DateTime(required=True)


class PackageOut(Schema):
    package_id = fields.String(required=True)
    license_id = fields.String(required=True)
    core_id = fields.String(required=True)
    recipients = fields.List(fields.String(), required=True)
    ready_at = fields.DateTime(required=True)
    manifest = fields.String(
        required=True,
        metadata={
            "description": "Compact JWS (EdDSA) naming the license, licensee, core version "
            "and each file's plaintext and ciphertext SHA-256; verify it against "
            "/.well-known/jwks.json."
        },
    )
    files = fields.List(fields.Nested(PackageFileOut), required=True)


class LinkQuery(Strict):
    org = fields.String(required=True, validate=validate.Length(min=1, max=36))
    by = fields.String(required=True, validate=validate.Length(min=1, max=80))
    expires = fields.Integer(required=True, validate=validate.Range(min=0, max=2**40))
    signature = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))


class Jwk(Schema):
    kty = fields.String(required=True)
    crv = fields.String(required=True)
    x = fields.String(required=True)
    kid = fields.String(required=True)
    alg = fields.String(required=True)
    use = fields.String(required=True)


class Jwks(Schema):
    keys = fields.List(fields.Nested(Jwk), required=True)
