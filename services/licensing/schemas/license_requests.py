"""License requests: what a licensee submits, the decisions on it, and the request as the API
answers it."""

from __future__ import annotations

from marshmallow import fields, validate

from services.licensing.schemas.common import (
    COUNTRY,
    ID,
    NEXT,
    Page,
    RequiredComment,
    State,
    Timestamp,
)
from shared.bounds import Schema
from shared.events.licensing import REQUEST_STATES


class LicenseRequestIn(Schema):
    core_id = fields.String(required=True, validate=ID)
    offer_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    version_range = fields.String(validate=validate.Length(min=1, max=200))
    project_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    intended_use = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    end_use_country = fields.String(required=True, validate=COUNTRY)


class RequestQuery(Page):
    state = fields.String(validate=validate.OneOf(REQUEST_STATES))


class ReviewDecision(RequiredComment):
    outcome = fields.String(required=True, validate=validate.OneOf(("allow", "deny")))


class DecisionComment(Schema):
    author_id = fields.String(
        allow_none=True, metadata={"description": "The organisation whose person or key decided."}
    )
    author_role = fields.String(metadata={"enum": ["admin", "vendor"]})
    decision = fields.String(
        metadata={"enum": ["review_allow", "review_deny", "approved", "rejected"]}
    )
    comment = fields.String()
    at = Timestamp()


class LicenseRequestOut(Schema):
    id = fields.String()
    state = State(REQUEST_STATES)
    licensee_id = fields.String()
    vendor_id = fields.String()
    core_id = fields.String()
    vlnv = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"description": "vendor, library, name and version of the core version requested"},
    )
    version_constraint = fields.String()
    offer_id = fields.String()
    offer_kind = fields.String(attribute="offer.kind")
    project_name = fields.String()
    intended_use = fields.String()
    end_use_country = fields.String()
    screening = fields.Dict(
        allow_none=True, metadata={"description": "outcome, reason_code, rule_id, rule_set_version"}
    )
    decision_comment = fields.String(
        allow_none=True,
        metadata={"description": "The latest decision's comment (all of them are in `comments`)."},
    )
    comments = fields.List(
        fields.Nested(DecisionComment),
        metadata={
            "description": "Every decision's comment, oldest first: the export review's and the "
            "vendor's, each with who wrote it and when."
        },
    )
    license_id = fields.String(allow_none=True)
    created_at = Timestamp()
    expires_at = Timestamp(allow_none=True)
    updated_at = Timestamp()


class RequestPage(Schema):
    items = fields.List(fields.Nested(LicenseRequestOut))
    next = NEXT()
