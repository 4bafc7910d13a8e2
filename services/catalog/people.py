"""Use cases of people joining the platform: an organisation applies and the operator decides;
members are invited by e-mail and accept with a password. Each takes a unit of work; the rules
are in domain/people.py, domain/roles.py and domain/passwords.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from services.catalog.domain import one_time_tokens, roles
from services.catalog.domain.organisation_profile import check_profile
from services.catalog.domain.passwords import password_problem
from services.catalog.domain.people import (
    APPLICATION_DECISIONS,
    INVITATION_LIFETIME,
    ORGANISATION_KINDS,
    Actor,
    email_key,
    email_problem,
    may_accept,
)
from services.catalog.models import Invitation, Membership, OrganisationApplication, Person
from services.catalog.organisations import register_organisation
from services.catalog.password_hashing import hash_password
from services.catalog.unit_of_work import CatalogWork, catalog_work
from shared.countries import checked_country
from shared.db.schema import utcnow
from shared.directory import Principal
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.events import catalog as events
from shared.messaging.unit_of_work import UnitOfWork

INVITATION = "invitation"  # the purpose of an invitation link's token
Clock = Callable[[], datetime]
_DECISION_EVENTS = {
    "approved": events.ORGANISATION_APPLICATION_APPROVED,
    "declined": events.ORGANISATION_APPLICATION_DECLINED,
}


def actor_for_key(principal: Principal) -> Actor:
    """An API key acts with its organisation's full rights (as keys always have) until keys
    carry role scopes; the operator's keys with the operator's."""
    if principal.is_admin:
        return Actor(platform_roles=frozenset({roles.OPERATOR}), key_id=principal.key_id)
    return Actor(
        memberships={principal.organisation_id: frozenset({roles.OWNER})}, key_id=principal.key_id
    )


def application_state(application: OrganisationApplication) -> dict:
    decided = application.decided_at
    return {
        "application_id": application.id,
        "legal_name_en": application.legal_name_en,
        "legal_name_zh": application.legal_name_zh,
        "country": application.country,
        "registration_number": application.registration_number,
        "roles": list(application.roles),
        "contact_name": application.contact_name,
        "contact_email": application.contact_email,
        "locale": application.locale,
        "status": application.status,
        "reason": application.reason,
        "organisation_id": application.organisation_id,
        "decided_at": decided.isoformat() if decided else None,
    }


def apply(
    uow: UnitOfWork | CatalogWork,
    *,
    legal_name_en: str,
    country: str,
    registration_number: str,
    roles: list[str],
    contact_name: str,
    contact_email: str,
    legal_name_zh: str | None = None,
    locale: str = "en",
    timezone: str = "UTC",
) -> OrganisationApplication:
    """An organisation asks to join; the operators are told by an event."""
    country = checked_country(country)
    check_profile(timezone=timezone, locale=locale, roles=roles, contacts=[])
    if not roles or set(roles) - set(ORGANISATION_KINDS):
        raise Invalid(
            f"an organisation joins as {' and/or '.join(ORGANISATION_KINDS)}", field="roles"
        )
    _check_email(contact_email, "contact_email")
    if not registration_number.strip():
        raise Invalid("the business registration number is required", field="registration_number")
    work = catalog_work(uow)
    application = OrganisationApplication(
        legal_name_en=legal_name_en,
        legal_name_zh=legal_name_zh,
        country=country,
        registration_number=registration_number.strip(),
        roles=sorted(set(roles)),
        contact_name=contact_name,
        contact_email=contact_email.strip(),
        locale=locale,
        timezone=timezone,
        status="pending",
    )
    work.records.add(application)
    work.records.flush()
    work.publish(events.ORGANISATION_APPLIED, application.id, application_state(application))
    return application


def decide_application(
    uow: UnitOfWork | CatalogWork,
    actor: Actor,
    application_id: str,
    decision: str,
    reason: str | None = None,
    clock: Clock = utcnow,
) -> tuple[OrganisationApplication, str | None]:
    """The operator approves (the organisation is registered and its contact invited as its
    owner: the invitation's link token is returned) or declines; an event either way."""
    if not actor.may("organisations.decide"):
        raise Forbidden("only the platform operator decides on applications")
    if decision not in APPLICATION_DECISIONS:
        raise Invalid(f"a decision is one of {', '.join(APPLICATION_DECISIONS)}", field="decision")
    work = catalog_work(uow)
    application = work.records.application(application_id)
    if application is None:
        raise NotFound(f"application {application_id} does not exist")
    if application.status != "pending":
        raise Conflict(f"the application is {application.status} already", field="status")
    application.status, application.reason = decision, reason
    application.decided_at, application.decided_by = clock(), actor.person_id or actor.key_id
    token = None
    if decision == "approved":
        org = register_organisation(
            work,
            legal_name_en=application.legal_name_en,
            country=application.country,
            roles=list(application.roles),
            locale=application.locale,
            timezone=application.timezone,
            legal_name_zh=application.legal_name_zh,
            contacts=[
                {
                    "name": application.contact_name,
                    "email": application.contact_email,
                    "notices": ["all"],
                }
            ],
        )
        application.organisation_id = org.id
        _, token = _invite(work, org, application.contact_email, [roles.OWNER], None, clock)
    work.records.flush()
    work.publish(_DECISION_EVENTS[decision], application.id, application_state(application))
    return application, token


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
    _check_email(email, "email")
    try:
        member_roles = roles.checked_roles(member_roles)
    except roles.UnknownRole as error:
        raise Invalid(str(error), field="roles") from None
    if not member_roles:
        raise Invalid("a member needs at least one role", field="roles")
    person = work.records.person_by_email(email_key(email))
    if person is not None and work.records.membership(person.id, org.id) is not None:
        raise Conflict(f"{email.strip()} is a member already", field="email")
    return _invite(work, org, email.strip(), member_roles, actor.person_id, clock)


def _invite(
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
    refusal = may_accept(invitation.accepted_at is not None, now >= invitation.expires_at)
    if refusal:
        raise Conflict(refusal, field="token")
    person = work.records.person_by_email(email_key(invitation.email))
    if person is None:
        person = _new_person(work, invitation.email, name_en, name_zh, password, now)
    elif person.disabled_at is not None:
        raise Forbidden("this account is disabled", field="token")
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


def _new_person(
    work: CatalogWork,
    email: str,
    name_en: str | None,
    name_zh: str | None,
    password: str | None,
    now: datetime,
    platform_roles: list[str] = (),
) -> Person:
    if not (name_en or "").strip():
        raise Invalid("your name (in English) is required", field="name_en")
    problem = password_problem(password or "", context=(email, name_en, name_zh or ""))
    if problem:
        raise Invalid(problem, field="password")
    person = Person(
        email=email,
        email_key=email_key(email),
        name_en=name_en.strip(),
        name_zh=(name_zh or "").strip() or None,
        platform_roles=list(platform_roles),
        password_hash=hash_password(password),
        email_verified_at=now,
        created_at=now,
    )
    work.records.add(person)
    work.records.flush()
    return person


def create_operator(
    uow: UnitOfWork | CatalogWork, email: str, name_en: str, password: str, clock: Clock = utcnow
) -> Person:
    """A platform operator person (`ipmarket admin create`): the first one, or another."""
    _check_email(email, "email")
    work = catalog_work(uow)
    if work.records.person_by_email(email_key(email)) is not None:
        raise Conflict(f"{email.strip()} has an account already", field="email")
    return _new_person(
        work, email.strip(), name_en, None, password, clock(), platform_roles=[roles.OPERATOR]
    )


def remove_member(
    uow: UnitOfWork | CatalogWork,
    actor: Actor,
    organisation_id: str,
    person_id: str,
    clock: Clock = utcnow,
) -> None:
    """The person stops acting for the organisation; the catalog refuses their access token
    for it at once (it reads memberships live), the other services on the event. The last
    owner stays: an organisation without one could not invite anyone again."""
    work = catalog_work(uow)
    if work.records.organisation(organisation_id) is None or not (
        actor.is_member(organisation_id) or actor.may("people.manage")
    ):
        raise NotFound(f"organisation {organisation_id} does not exist")
    if not actor.may("members.remove", organisation_id):
        raise Forbidden("only an owner of the organisation removes members")
    membership = work.records.membership(person_id, organisation_id)
    if membership is None:
        raise NotFound(f"{person_id} is not a member")
    owners = [m for m in work.records.members_of(organisation_id) if roles.OWNER in m.roles]
    if owners == [membership]:
        raise Conflict("the organisation's last owner stays: make another member owner first")
    work.records.delete(membership)
    work.records.flush()
    work.publish(
        events.MEMBER_REMOVED,
        organisation_id,
        {
            "person_id": person_id,
            "organisation_id": organisation_id,
            "removed_at": clock().isoformat(),
        },
    )


def member_state(person: Person, membership: Membership) -> dict:
    return {
        "person_id": person.id,
        "organisation_id": membership.organisation_id,
        "name_en": person.name_en,
        "name_zh": person.name_zh,
        "email": person.email,
        "roles": list(membership.roles),
        "joined_at": membership.created_at.isoformat(),
    }


def _check_email(email: str, field: str) -> None:
    problem = email_problem(email)
    if problem:
        raise Invalid(problem, field=field)
