"""Schemas of licensees' recipient keys."""

from __future__ import annotations

from marshmallow import fields, validate

from services.deliverables.schemas.uploads import Strict
from shared.bounds import Schema

AGE_PUBLIC_KEY = validate.Regexp(
    r"^age1[02-9ac-hj-np-z]{58}$", error="must be an age X25519 public key (age1…)"
)


class RecipientKeyIn(Strict):
    public_key = fields.String(
        required=True,
        validate=AGE_PUBLIC_KEY,
        metadata={"description": "An age X25519 recipient: Bech32, `age1…`, its checksum right."},
    )
    label = fields.String(load_default="", validate=validate.Length(max=200))


class RecipientKeyOut(Schema):
    key_id = fields.String(required=True)
    public_key = fields.String(required=True)
    label = fields.String(required=True)
    created_at = fields.DateTime(required=True)


RecipientKeyPage = Schema.from_dict(
    {
        "items": fields.List(fields.Nested(RecipientKeyOut), required=True),
        "next": fields.String(required=True, allow_none=True),
    },
    name="RecipientKeyPage",
)


class ActorOut(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(("person", "key")))
    id = fields.String(allow_none=True)
    name = fields.String(allow_none=True)


class DownloadOut(Schema):
    download_id = fields.String(required=True)
    deliverable_id = fields.String(required=True)
    core_id = fields.String(required=True)
    licensee_id = fields.String(required=True)
    license_id = fields.String(required=True)
    actor = fields.Nested(ActorOut, required=True)
    address = fields.String(required=True)
    downloaded_at = fields.DateTime(required=True)


DownloadPage = Schema.from_dict(
    {
        "items": fields.List(fields.Nested(DownloadOut), required=True),
        "next": fields.String(required=True, allow_none=True),
    },
    name="DownloadPage",
)
