"""People joining: an organisation applies (/v1/organisation-applications), the operator
decides; an organisation invites members (/v1/organisations/<id>/invitations), who accept
(/v1/invitations/accept)."""

from __future__ import annotations

from marshmallow import RAISE

from services.catalog import invitations, memberships, organisation_applications, people
from services.catalog.api.common import event_actor, page, page_request
from services.catalog.schemas.account_security import (
    SecondFactorRequirementSchema,
    SecondFactorRequirementStateSchema,
)
from services.catalog.schemas.common import page_schema
from services.catalog.schemas.people import (
    AcceptInvitationSchema,
    ApplicationArgsSchema,
    ApplicationCreateSchema,
    ApplicationDecisionSchema,
    ApplicationSchema,
    InvitationCreateSchema,
    InvitationSchema,
    MemberRolesSchema,
    MembershipSchema,
)
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import current_principal, requires
from shared.http.context import service_context

blp = Blueprint(
    "people",
    __name__,
    url_prefix="/v1",
    description="People: organisations apply to join, members are invited.",
)


@blp.post("/organisation-applications")
@blp.arguments(ApplicationCreateSchema)
@blp.response(201, ApplicationSchema)
def apply(body):
    """An organisation applies to join the platform; the operator decides, and the contact is
    invited as the organisation's owner once it is approved."""
    with service_context().unit_of_work(event_actor("people.apply")) as uow:
        application = organisation_applications.apply(uow, **body)
        uow.commit()
        return application


@blp.get("/organisation-applications")
@requires("admin", action="organisations.decide")
@blp.arguments(ApplicationArgsSchema(), location="query", unknown=RAISE)
@blp.response(200, page_schema(ApplicationSchema))
def list_applications(args):
    """The applications, oldest first, e.g. ?status=pending: the operator's queue (platform
    operator only)."""
    actor = people.actor_for_key(current_principal())
    with service_context().session_factory() as session:
        return page(
            *organisation_applications.list_applications(
                session, actor, args.get("status"), page_request(args)
            )
        )


@blp.get("/organisation-applications/<id:application_id>")
@requires("admin", action="organisations.decide")
@blp.response(200, ApplicationSchema)
@problems(404)
def get_application(application_id):
    """One application (platform operator only)."""
    actor = people.actor_for_key(current_principal())
    with service_context().session_factory() as session:
        return organisation_applications.application(session, actor, application_id)


@blp.post("/organisation-applications/<id:application_id>/approve")
@requires("admin", action="organisations.decide")
@blp.arguments(ApplicationDecisionSchema, required=False)
@blp.response(200, ApplicationSchema)
@problems(404, 409)
def approve(body, application_id):
    """Approve (platform operator only): the organisation is registered and its contact
    invited by e-mail as its owner."""
    return _decide(application_id, "approved", body.get("reason"))


@blp.post("/organisation-applications/<id:application_id>/decline")
@requires("admin", action="organisations.decide")
@blp.arguments(ApplicationDecisionSchema, required=False)
@blp.response(200, ApplicationSchema)
@problems(404, 409)
def decline(body, application_id):
    """Decline (platform operator only), with the reason the applicant is told."""
    return _decide(application_id, "declined", body.get("reason"))


def _decide(application_id: str, decision: str, reason: str | None):
    actor = people.actor_for_key(current_principal())
    with service_context().unit_of_work(event_actor("people.decide")) as uow:
        application, _ = organisation_applications.decide_application(
            uow, actor, application_id, decision, reason
        )
        uow.commit()
        return application


@blp.post("/organisations/<organisation_id>/invitations")
@requires(action="members.invite")
@blp.arguments(InvitationCreateSchema)
@blp.response(201, InvitationSchema)
@problems(404, 409)
def invite(body, organisation_id):
    """Invite someone by e-mail to join the organisation with roles; the link in the e-mail
    works once, for 7 days."""
    actor = people.actor_for_key(current_principal())
    with service_context().unit_of_work(event_actor("people.invite")) as uow:
        invitation, _ = invitations.invite_member(
            uow, actor, organisation_id, body["email"], body["roles"]
        )
        uow.commit()
        return invitation


@blp.delete("/organisations/<organisation_id>/invitations/<id:invitation_id>")
@requires(action="members.invite")
@blp.response(204)
@problems(404, 409)
def withdraw_invitation(organisation_id, invitation_id):
    """Withdraw an invitation not yet accepted (its owners only): its link then refuses with
    a message saying so. Withdrawing it again changes nothing."""
    actor = people.actor_for_key(current_principal())
    with service_context().unit_of_work(event_actor("people.withdraw_invitation")) as uow:
        invitations.withdraw_invitation(uow, actor, organisation_id, invitation_id)
        uow.commit()


@blp.post("/invitations/accept")
@blp.arguments(AcceptInvitationSchema)
@blp.response(201, MembershipSchema)
@problems(403, 409)
def accept(body):
    """Accept an invitation: with a name and password when you have no account yet (the link
    verifies your address), else you just join the organisation."""
    with service_context().unit_of_work(event_actor("people.accept")) as uow:
        person, membership = invitations.accept_invitation(
            uow,
            body["token"],
            name_en=body["name_en"],
            name_zh=body["name_zh"],
            password=body["password"],
        )
        uow.commit()
        return memberships.member_state(person, membership) | {"joined_at": membership.created_at}


@blp.put("/organisations/<organisation_id>/members/<id:person_id>/roles")
@requires(action="members.change_roles")
@blp.arguments(MemberRolesSchema)
@blp.response(200, MembershipSchema)
@problems(404, 409)
def change_member_roles(body, organisation_id, person_id):
    """Change a member's roles: every service applies them within seconds (the organisation's
    last owner stays an owner)."""
    actor = people.actor_for_key(current_principal())
    with service_context().unit_of_work(event_actor("people.change_member_roles")) as uow:
        person, membership = memberships.change_roles(
            uow, actor, organisation_id, person_id, body["roles"]
        )
        uow.commit()
        return memberships.member_state(person, membership) | {"joined_at": membership.created_at}


@blp.delete("/organisations/<organisation_id>/members/<id:person_id>")
@requires(action="members.remove")
@blp.response(204)
@problems(404, 409)
def remove_member(organisation_id, person_id):
    """Remove a member: they stop acting for the organisation at once (the organisation's
    last owner stays)."""
    actor = people.actor_for_key(current_principal())
    with service_context().unit_of_work(event_actor("people.remove_member")) as uow:
        memberships.remove_member(uow, actor, organisation_id, person_id)
        uow.commit()


@blp.put("/organisations/<organisation_id>/second-factor-requirement")
@requires(action="organisation.change")
@blp.arguments(SecondFactorRequirementSchema)
@blp.response(200, SecondFactorRequirementStateSchema)
@problems(403, 404)
def require_second_factor(body, organisation_id):
    """Whether every member must sign in with a second factor (an owner's choice): members
    without one are asked to set one up at their next sign-in."""
    actor = people.actor_for_key(current_principal())
    with service_context().unit_of_work(event_actor("people.require_second_factor")) as uow:
        org = memberships.require_second_factor(uow, actor, organisation_id, body["required"])
        uow.commit()
        return {"organisation_id": org.id, "requires_second_factor": org.requires_second_factor}
