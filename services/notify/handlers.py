"""Events the notify service consumes: the directory, cores and licenses. Each handler first
updates the projections routing needs, then records the notice and its deliveries, all in the
consumer's transaction."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.notify import notices
from services.notify.models import KnownApiKey, KnownOrganisation
from shared.directory import Directory
from shared.events import Event

STREAMS = ["catalog", "licensing"]
directory = Directory(KnownOrganisation, KnownApiKey)


def _then_notify(project, *, changes_directory: bool = False):
    def handle(event: Event, session: Session) -> None:
        project(event, session)
        if changes_directory:
            notices.forget_routes(session)  # routes read earlier in the batch may be stale
        session.flush()  # a new organisation's contacts must be visible to the routing
        notices.record_notice(event, session)

    return handle


def event_handlers() -> dict:
    handlers = {event_type: _then_notify(project, changes_directory=True)
                for event_type, project in directory.handlers.items()}
    for event_type in notices.NOTICE_TYPES:
        group = notices.event_group(event_type)
        if group == "core":
            handlers[event_type] = _then_notify(notices.apply_core)
        elif group == "license":
            handlers[event_type] = _then_notify(notices.apply_license)
        elif group in ("quote", "order", "invoice", "vendor_name"):
            handlers[event_type] = _then_notify(_nothing_to_project)
    return handlers


def _nothing_to_project(event, session) -> None:
    """Deals in progress need no projection here: the notice carries what it says."""
