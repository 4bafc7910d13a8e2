"""The export-screening rule table as an admin publishes and reads it."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from services.licensing.schemas.common import COUNTRY, Timestamp
from shared import bounds
from shared.bounds import Schema
from shared.countries import CountryCode
from shared.events.licensing import MAX_DESTINATIONS, MAX_RULES
from shared.export_screening import OUTCOMES


class Rule(Schema):
    rule_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    eccn = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^(\*|EAR99|[0-9][A-E][0-9*]{0,3}\*?)$",
            error="must be an ECCN (e.g. 3E001), EAR99, or a pattern such as 5E* or *",
        ),
    )
    destinations = fields.List(
        fields.String(validate=CountryCode(wildcard="*")),
        required=True,
        validate=validate.Length(min=1, max=MAX_DESTINATIONS),
    )
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    reason_code = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[A-Z][A-Z0-9_]{1,63}$", error="must be an UPPER_SNAKE reason code"
        ),
    )


class RuleSetIn(Schema):
    based_on = fields.Integer(required=True, validate=validate.Range(min=1, max=bounds.VERSION_MAX))
    # As many as one event carries (shared/events/licensing.py): the table is announced whole.
    rules = fields.List(fields.Nested(Rule), required=True, validate=validate.Length(max=MAX_RULES))
    embargoed = fields.List(
        fields.String(validate=COUNTRY),
        required=True,
        validate=validate.Length(max=MAX_DESTINATIONS),
    )
    comment = fields.String(required=True, validate=validate.Length(min=1, max=500))

    @validates_schema
    def unique_ids(self, data, **_):
        ids = [r["rule_id"] for r in data.get("rules", [])]
        if len(ids) != len(set(ids)):
            raise ValidationError("rule ids must be unique", "rules")


class RuleSetOut(Schema):
    version = fields.Integer()
    rules = fields.List(fields.Nested(Rule))
    embargoed = fields.List(fields.String())
    comment = fields.String()
    created_by = fields.String(allow_none=True)
    created_at = Timestamp()
