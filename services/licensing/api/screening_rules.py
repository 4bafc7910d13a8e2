"""The export-screening rule table: read by version, published by an admin."""

from __future__ import annotations

from services.licensing import audit, rule_sets
from services.licensing.api.common import V1
from services.licensing.schemas.screening_rules import RuleSetIn, RuleSetOut
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import current_principal, requires
from shared.http.context import service_context

blp = Blueprint(
    "screening_rules", __name__, url_prefix=V1, description="Export-screening rule sets"
)


@blp.get("/screening/rules")
@requires("admin", action="rule_sets.read")
@blp.response(200, RuleSetOut)
@problems(404)
def current_rules():
    with service_context().session_factory() as session:
        return rule_sets.current_rule_set(session)


@blp.get("/screening/rules/<int:version>")
@requires("admin", action="rule_sets.read")
@blp.response(200, RuleSetOut)
@problems(404)
def rules_version(version):
    with service_context().session_factory() as session:
        return rule_sets.rule_set_version(session, version)


@blp.put("/screening/rules")
@requires("admin", action="rule_sets.change")
@blp.response(201, RuleSetOut)
@problems(404, 409)
@blp.arguments(RuleSetIn)
def publish_rules(body):
    """A new version of the rule table; `based_on` must be the version in force."""
    principal = current_principal()
    with service_context().unit_of_work(principal.actor) as uow:
        rule_set = rule_sets.publish_and_announce(uow, created_by=principal.organisation_id, **body)
        audit.record(
            uow.session,
            principal,
            "admin",
            "screening.rules_published",
            "screening_rule_set",
            str(rule_set.version),
            comment=body["comment"],
        )
        uow.commit()
    return rule_set, 201
