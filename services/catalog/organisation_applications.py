"""Use cases of an organisation joining the platform: it applies and the operator decides (an
approval registers it and invites its contact as owner). Each takes a unit of work; the rules
are in domain/people.py and domain/organisation_profile.py."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.catalog.domain.list_cursor import FIRST_PAGE, PageRequest
from services.catalog.domain.organisation_profile import check_profile
from services.catalog.domain.people import APPLICATION_DECISIONS, ORGANISATION_KINDS, Actor
from services.catalog.invitations import invite
from services.catalog.list_pages import page_of
from services.catalog.organisations import register_organisation
from services.catalog.people import Clock, check_email
from services.catalog.people_models import OrganisationApplication
from services.catalog.unit_of_work import CatalogWork, catalog_work
from shared import roles
from shared.countries import checked_country
from shared.db.schema import utcnow
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.events import people as events
from shared.messaging.unit_of_work import UnitOfWork

_DECISION_EVENTS = {
    "approved": events.ORGANISATION_APPLICATION_APPROVED,
    "declined": events.ORGANISATION_APPLICATION_DECLINED,
}


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
    check_email(contact_email, "contact_email")
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
        _, token = invite(work, org, application.contact_email, [roles.OWNER], None, clock)
    work.records.flush()
    work.publish(_DECISION_EVENTS[decision], application.id, application_state(application))
    return application, token


def list_applications(
    session: Session, actor: Actor, status: str | None = None, page: PageRequest = FIRST_PAGE
) -> tuple[list[OrganisationApplication], str | None]:
    """A page of the applications, oldest first (the operator's queue), `status` alone if
    given; the platform operator's only."""
    if not actor.may("organisations.decide"):
        raise Forbidden("only the platform operator reads the applications")
    query = sa.select(OrganisationApplication)
    if status is not None:
        query = query.where(OrganisationApplication.status == status)
    return page_of(session, query, OrganisationApplication, page)


def application(session: Session, actor: Actor, application_id: str) -> OrganisationApplication:
    if not actor.may("organisations.decide"):
        raise Forbidden("only the platform operator reads the applications")
    found = session.get(OrganisationApplication, application_id)
    if found is None:
        raise NotFound(f"application {application_id} does not exist")
    return found
