"""/v1/organisations/<id>/members and …/invitations: who belongs to an organisation and who is
invited (changing them is in people.py)."""

from __future__ import annotations

from marshmallow import RAISE

from services.catalog import member_lists, people
from services.catalog.api.common import page, page_request
from services.catalog.schemas import ListArgsSchema, page_schema
from services.catalog.schemas.people import InvitationSchema, MemberSchema
from shared.db.schema import utcnow
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import current_principal, requires
from shared.http.context import service_context

blp = Blueprint(
    "members",
    __name__,
    url_prefix="/v1/organisations",
    description="An organisation's members and open invitations.",
)


@blp.get("/<organisation_id>/members")
@requires(action="members.read")
@blp.arguments(ListArgsSchema(), location="query", unknown=RAISE)
@blp.response(200, page_schema(MemberSchema))
@problems(404)
def list_members(args, organisation_id):
    """The organisation's members with their roles, oldest first, a page at a time (its own
    members and the operator only)."""
    actor = people.actor_for_key(current_principal())
    with service_context().session_factory() as session:
        return page(*member_lists.list_members(session, actor, organisation_id, page_request(args)))


@blp.get("/<organisation_id>/invitations")
@requires(action="members.read")
@blp.arguments(ListArgsSchema(), location="query", unknown=RAISE)
@blp.response(200, page_schema(InvitationSchema))
@problems(404)
def list_invitations(args, organisation_id):
    """The invitations neither accepted nor expired, oldest first (its own members and the
    operator only)."""
    actor = people.actor_for_key(current_principal())
    with service_context().session_factory() as session:
        return page(
            *member_lists.list_open_invitations(
                session, actor, organisation_id, page_request(args), utcnow()
            )
        )
