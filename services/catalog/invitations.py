"""Use cases of invitations: a member is invited by e-mail with a single-use, expiring link and
accepts with a password (or, with an account already, just joins). Each takes a unit of work;
the rules are in domain/people.py, shared/roles.py and domain/one_time_tokens.py."""

from __future__ import annotations

from services.catalog.domain import one_time_tokens
from services.catalog.domain.people import (
    INVITATION_LIFETIME,
    Actor,
    email_key,
    may_accept,
    may_withdraw,
)
from services.catalog.memberships import member_state
from services.catalog.people import Clock, check_email, new_person, set_first_password
from services.catalog.people_models import Invitation, Membership, Person
from services.catalog.unit_of_work import CatalogWork, catalog_work
from shared import roles
from shared.db.schema import utcnow
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.events import people as events
from shared.messaging.unit_of_work import UnitOfWork

INVITATION = "invitation"  # the purpose of an invitation link's token


def invite_member(
    uow: UnitOfWork | CatalogWork,
    actor: Actor,
    organisation_id: str,
    email: str,
    member_roles: list[str],
    clock: Clock = utcnow,
) -> tuple[Invitation, str]:
    """An invitation by e-mail (the event carries its single-use, expiring link token)."""
    work = catalog_work(uow)
    org = work.records.organisation(organisation_id)
    if org is None or not (actor.is_member(organisation_id) or actor.may("people.manage")):
        raise NotFound(f"organisation {organisation_id} does not exist")
    if not actor.may("members.invite", organisation_id):
        raise Forbidden("only an owner of the organisation invites members")
    check_email(email, "email")
    try:
        member_roles = roles.checked_roles(member_roles)
    except roles.UnknownRole as error:
        raise Invalid(str(error), field="roles") from None
    if not member_roles:
        raise Invalid("a member needs at least one role", field="roles")
    person = work.records.person_by_email(email_key(email))
    if person is not None and work.records.membership(person.id, org.id) is not None:
        raise Conflict(f"{email.strip()} is a member already", field="email")
    return invite(work, org, email.strip(), member_roles, actor.person_id, clock)


def invite(
    work: CatalogWork,
    org,
    email: str,
    member_roles: list[str],
    invited_by: str | None,
    clock: Clock,
) -> tuple[Invitation, str]:
    now = clock()
    invitation = Invitation(
        organisation_id=org.id,
        email=email,
        roles=member_roles,
        invited_by=invited_by,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    work.records.add(invitation)
    work.records.flush()
    token = one_time_tokens.sign(
        work.records.link_key(), INVITATION, invitation.id, invitation.expires_at
    )
    work.publish(
        events.MEMBER_INVITED,
        org.id,
        {
            "invitation_id": invitation.id,
            "organisation_id": org.id,
            "email": email,
            "roles": member_roles,
            "invited_by": invited_by,
            "locale": org.locale,
            "link_token": token,
            "expires_at": invitation.expires_at.isoformat(),
        },
    )
    return invitation, token


def accept_invitation(
    uow: UnitOfWork | CatalogWork,
    token: str,
    *,
    name_en: str | None = None,
    password: str | None = None,
    name_zh: str | None = None,
    clock: Clock = utcnow,
) -> tuple[Person, Membership]:
    """The invited person joins: a new person sets a name and password (the link proves the
    address, so it is verified); someone with an account already just gains the membership.
    The link works once."""
    work = catalog_work(uow)
    now = clock()
    try:
        invitation_id = one_time_tokens.verify(work.records.link_key(), token, INVITATION, now)
    except one_time_tokens.BadToken as error:
        raise Invalid(str(error), field="token") from None
    invitation = work.records.invitation_for_update(invitation_id)
    if invitation is None:
        raise Invalid("not a link this platform sent", field="token")
    refusal = may_accept(
        invitation.accepted_at is not None,
        now >= invitation.expires_at,
        withdrawn=invitation.withdrawn_at is not None,
    )
    if refusal:
        raise Conflict(refusal, field="token")
    person = work.records.person_by_email(email_key(invitation.email))
    if person is None:
        person = new_person(work, invitation.email, name_en, name_zh, password, now)
    elif person.disabled_at is not None:
        raise Forbidden("this account is disabled", field="token")
    elif person.password_hash is None:  # made without one (`ipmarket admin create --invite`)
        set_first_password(person, password, now)
    membership = Membership(
        person_id=person.id,
        organisation_id=invitation.organisation_id,
        roles=list(invitation.roles),
        created_at=now,
    )
    work.records.add(membership)
    invitation.accepted_at, invitation.person_id = now, person.id
    work.records.flush()
    work.publish(events.MEMBER_JOINED, invitation.organisation_id, member_state(person, membership))
    return person, membership


def withdraw_invitation(
    uow: UnitOfWork | CatalogWork,
    actor: Actor,
    organisation_id: str,
    invitation_id: str,
    clock: Clock = utcnow,
) -> Invitation:
    """The organisation takes an open invitation back: its link then refuses. Withdrawing it
    again changes nothing (DELETE is idempotent). No event: nothing outside the catalog keeps
    invitations, and the e-mail already sent cannot be unsent."""
    work = catalog_work(uow)
    org = work.records.organisation(organisation_id)
    if org is None or not (actor.is_member(organisation_id) or actor.may("people.manage")):
        raise NotFound(f"organisation {organisation_id} does not exist")
    if not actor.may("members.invite", organisation_id):
        raise Forbidden("only an owner of the organisation withdraws invitations")
    invitation = work.records.invitation_for_update(invitation_id)
    if invitation is None or invitation.organisation_id != org.id:
        raise NotFound(f"invitation {invitation_id} does not exist")
    refusal = may_withdraw(invitation.accepted_at is not None)
    if refusal:
        raise Conflict(refusal, field="invitation_id")
    if invitation.withdrawn_at is None:
        invitation.withdrawn_at = clock()
        work.records.flush()
    return invitation
