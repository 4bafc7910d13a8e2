"""Schemas of uploads and deliverables."""

from __future__ import annotations

from marshmallow import RAISE, fields, validate

from services.deliverables.domain.file_names import FILE_NAME, MAX_FILE_NAME
from services.deliverables.domain.kinds import DELIVERABLE_KINDS
from services.deliverables.domain.protection import IEEE_1735
from shared import config
from shared.bounds import Schema
from shared.http.api_docs import WholeNumber

SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="must be 64 lower-case hexadecimal digits")


class Strict(Schema):
    class Meta:
        unknown = RAISE


class UploadIn(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(DELIVERABLE_KINDS))
    file_name = fields.String(
        required=True,
        validate=[
            validate.Length(min=1, max=MAX_FILE_NAME),
            validate.Regexp(FILE_NAME, error="must be a plain, portable file name"),
        ],
        metadata={"description": "A plain, portable file name: no directories, no device name."},
    )
    size = WholeNumber(
        required=True,
        # The setting as the process started: what the document says is what it enforces.
        validate=validate.Range(min=1, max=config.get("IPMARKET_DELIVERABLE_MAX_BYTES")),
        metadata={"description": "Bytes; at most IPMARKET_DELIVERABLE_MAX_BYTES (20 GiB)."},
    )
    sha256 = fields.String(
        required=True,
        validate=SHA256,
        metadata={"description": "SHA-256 of the whole file, checked when it is complete."},
    )


# open: taking parts; rejected: its digest did not match; aborted by its owner; expired unfinished
UPLOAD_STATES = ("open", "completed", "rejected", "aborted", "expired")


class PartOut(Schema):
    number = fields.Integer(required=True)
    size = fields.Integer(required=True)


class ReceivedPartOut(PartOut):
    sha256 = fields.String(required=True, metadata={"description": "Of this part, as received."})


class UploadOut(Schema):
    upload_id = fields.String(required=True)
    core_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(DELIVERABLE_KINDS))
    file_name = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(UPLOAD_STATES))
    part_size = fields.Integer(
        required=True, metadata={"description": "Bytes of every part but the last."}
    )
    part_count = fields.Integer(required=True)
    protection = fields.String(allow_none=True, validate=validate.OneOf((IEEE_1735,)))
    parts = fields.List(
        fields.Nested(PartOut),
        required=True,
        metadata={"description": "The parts received so far (to resume an interrupted upload)."},
    )
    missing = fields.List(fields.Integer(), required=True)
    created_at = fields.DateTime(required=True)


class DeliverableOut(Schema):
    deliverable_id = fields.String(required=True)
    core_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(DELIVERABLE_KINDS))
    file_name = fields.String(required=True)
    revision = fields.Integer(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    protection = fields.String(
        allow_none=True,
        validate=validate.OneOf((IEEE_1735,)),
        metadata={"description": "ieee1735: the vendor's encrypted envelope, passed unchanged."},
    )
    uploaded_at = fields.DateTime(required=True)


DeliverablePage = Schema.from_dict(
    {
        "items": fields.List(fields.Nested(DeliverableOut), required=True),
        "next": fields.String(required=True, allow_none=True),
    },
    name="DeliverablePage",
)


class OpenUploadOut(Schema):
    upload_id = fields.String(required=True)
    core_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(DELIVERABLE_KINDS))
    file_name = fields.String(required=True)
    size = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(
        required=True,
        metadata={"description": "Unfinished then, it expires and its parts are deleted."},
    )


OpenUploadPage = Schema.from_dict(
    {
        "items": fields.List(fields.Nested(OpenUploadOut), required=True),
        "next": fields.String(required=True, allow_none=True),
    },
    name="OpenUploadPage",
)
