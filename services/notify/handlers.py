"""Events the notify service consumes: the directory (organisations, keys, people), cores and
licenses. Each handler first updates the projections routing needs, then records the notice and
its deliveries, all in the consumer's transaction. People's events keep the projection (to check
their access tokens, and whom to tell by role); account events become a message to one
addressee (account_notices)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.notify import notices, people
from services.notify.account_notices import record_account_message
from services.notify.domain.account_messages import ACCOUNT_TYPES
from services.notify.domain.routing import NOTICE_TYPES, event_group
from services.notify.models import (
    EndedSession,
    KnownApiKey,
    KnownMembership,
    KnownOrganisation,
    KnownPerson,
    KnownPlatformRoles,
    KnownTokenKey,
)
from services.notify.route_cache import RoutesOfTransaction
from shared.directory import Directory
from shared.events import Event
from shared.people_directory import PeopleDirectory

STREAMS = ["catalog", "licensing", "deliverables"]
directory = Directory(KnownOrganisation, KnownApiKey)
people_directory = PeopleDirectory(
    KnownTokenKey,
    KnownPerson,
    KnownMembership,
    EndedSession,
    KnownOrganisation,
    platform_roles_model=KnownPlatformRoles,
)
PROJECTIONS = {"core": notices.apply_core, "license": notices.apply_license}
NOTHING_TO_PROJECT = ("quote", "order", "invoice", "vendor_name", "deliverables", "ip_request")


def _project_then_record(project, routes: RoutesOfTransaction, *, changes_directory: bool = False):
    def handle(event: Event, session: Session) -> None:
        project(event, session)
        if changes_directory:
            routes.forget()  # routes read earlier in the batch may be stale
        session.flush()  # a new organisation's contacts must be visible to the routing
        notices.record_notice(event, session, routes.of(session))

    return handle


def event_handlers() -> dict:
    """Event type → handler, for one consumer: its handlers share one route cache."""
    routes = RoutesOfTransaction()
    handlers = {
        event_type: _project_then_record(project, routes, changes_directory=True)
        for event_type, project in directory.handlers.items()
    }
    # People: their standing (to check their access tokens), then their addresses (whom to tell
    # by role). No notice of their own; account events become a message to one addressee.
    handlers.update(people_directory.handlers)
    for event_type, addresses in people.PROJECTIONS.items():
        handlers[event_type] = _in_turn(*filter(None, (handlers.get(event_type), addresses)))
    handlers.update(dict.fromkeys(ACCOUNT_TYPES, record_account_message))
    for event_type in NOTICE_TYPES:
        group = event_group(event_type)
        if group in PROJECTIONS:
            handlers[event_type] = _project_then_record(PROJECTIONS[group], routes)
        elif group in NOTHING_TO_PROJECT:
            handlers[event_type] = _project_then_record(_nothing_to_project, routes)
    return handlers


def _in_turn(*handlers):
    def handle(event, session) -> None:
        for handler in handlers:
            handler(event, session)

    return handle


def _nothing_to_project(event, session) -> None:
    """Deals in progress need no projection here: the notice carries what it says."""
