"""/v1/organisations: the platform directory. `requires` comes right after the route, so that a
request without a valid key is 401 before its body is even read."""

from __future__ import annotations

from marshmallow import RAISE

from services.catalog import organisations
from services.catalog.api.common import ETAG, etag, if_match, if_match_header, page, page_request
from services.catalog.schemas import (
    ListArgsSchema,
    OrganisationCreateSchema,
    OrganisationSchema,
    OrganisationUpdateSchema,
    page_schema,
)
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import current_principal, requires
from shared.http.context import service_context

blp = Blueprint(
    "organisations",
    __name__,
    url_prefix="/v1/organisations",
    description="The platform directory: organisations.",
)


@blp.post("")
@requires("admin", action="organisations.register")
@blp.arguments(OrganisationCreateSchema)
@blp.response(201, OrganisationSchema, headers=ETAG)
def register_organisation(body):
    """Register an organisation (platform operator only)."""
    with service_context().unit_of_work(current_principal().actor) as uow:
        org = organisations.register_organisation(uow, **body)
        uow.commit()
    return org, etag(org.version)


@blp.get("")
@requires("admin", action="organisations.read_all")
@blp.arguments(ListArgsSchema(), location="query", unknown=RAISE)
@blp.response(200, page_schema(OrganisationSchema))
def list_organisations(args):
    """Every organisation, oldest first, a page at a time (platform operator only)."""
    with service_context().session_factory() as session:
        return page(*organisations.list_organisations(session, page_request(args)))


@blp.get("/<organisation_id>")
@requires(action="organisation.read")
@blp.response(200, OrganisationSchema, headers=ETAG)
@problems(404)
def read_organisation(organisation_id):
    """An organisation's profile: its own, or any for the operator."""
    with service_context().session_factory() as session:
        org = organisations.get_organisation(session, current_principal(), organisation_id)
    return org, etag(org.version)


@blp.patch("/<organisation_id>")
@requires(action="organisation.change")
@blp.arguments(OrganisationUpdateSchema)
@blp.response(200, OrganisationSchema, headers=ETAG)
@blp.doc(parameters=[if_match_header(required=True)])
@problems(403, 404, 412, 428)
def update_organisation(changes, organisation_id):
    """Change the profile (If-Match required); roles only by the operator."""
    principal = current_principal()
    with service_context().unit_of_work(current_principal().actor) as uow:
        org = organisations.update_organisation(
            uow, principal, organisation_id, if_match(), changes
        )
        uow.commit()
    return org, etag(org.version)
