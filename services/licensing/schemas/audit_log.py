"""The audit log: its query and its entries."""

from __future__ import annotations

from marshmallow import fields, validate

from services.licensing.schemas.common import CURSOR_DESCRIPTION, NEXT, Timestamp
from shared.bounds import Schema


class AuditQuery(Schema):
    subject_id = fields.String(validate=validate.Length(min=1, max=64))
    after = fields.Integer(load_default=0, validate=validate.Range(min=0))
    cursor = fields.String(
        validate=validate.Regexp(r"^[0-9]{1,18}$"), metadata={"description": CURSOR_DESCRIPTION}
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class ActorOut(Schema):
    kind = fields.String(
        metadata={"enum": ["person", "key", "system"], "description": "Who acted."}
    )
    id = fields.String(
        metadata={"description": "The person's or API key's id; for the platform, what acted."}
    )
    name = fields.String(
        allow_none=True, metadata={"description": "The person's name when they acted."}
    )
    organisation_id = fields.String(
        allow_none=True, metadata={"description": "The organisation they acted for."}
    )
    organisation_name_en = fields.String(allow_none=True)
    organisation_name_zh = fields.String(allow_none=True)


class AuditEntryOut(Schema):
    seq = fields.Integer()
    at = Timestamp()
    actor = fields.Nested(
        ActorOut,
        allow_none=True,
        metadata={"description": "Who acted; null in entries from before it was recorded."},
    )
    actor_id = fields.String(
        allow_none=True, metadata={"description": "The organisation acted for (as actor's)."}
    )
    actor_role = fields.String()
    action = fields.String()
    subject_type = fields.String()
    subject_id = fields.String()
    licensee_id = fields.String(allow_none=True)
    vendor_id = fields.String(allow_none=True)
    details = fields.Dict()


class AuditPage(Schema):
    items = fields.List(fields.Nested(AuditEntryOut))
    next = NEXT()
