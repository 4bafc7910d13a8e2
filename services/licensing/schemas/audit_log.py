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


class AuditEntryOut(Schema):
    seq = fields.Integer()
    at = Timestamp()
    actor_id = fields.String(allow_none=True)
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
