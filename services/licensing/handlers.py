"""Events the licensing service consumes: the catalog's directory (organisations, keys and
people) and its cores."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.licensing import manifest_keys
from services.licensing.models import (
    EndedSession,
    KnownApiKey,
    KnownCore,
    KnownMembership,
    KnownOrganisation,
    KnownPerson,
    KnownPlatformRoles,
    KnownTokenKey,
)
from shared.directory import Directory
from shared.events import Event
from shared.events import catalog as catalog_events
from shared.people_directory import PeopleDirectory

STREAMS = ["catalog", "deliverables"]  # deliverables: its manifest keys
directory = Directory(KnownOrganisation, KnownApiKey)
people_directory = PeopleDirectory(
    KnownTokenKey,
    KnownPerson,
    KnownMembership,
    EndedSession,
    KnownOrganisation,
    platform_roles_model=KnownPlatformRoles,
)
CORE_FIELDS = (
    "vendor_id",
    "vlnv",
    "title_en",
    "status",
    "eccn",
    "territory_restrictions",
    "deliverables",
    "offers",
    "version",
)


def apply_core(event: Event, session: Session) -> None:
    """Keep the newest state of a core version; an older state arriving late changes nothing."""
    data = event.data
    current = session.get(KnownCore, data["core_id"], with_for_update=True)
    if current is not None and current.version >= data["version"]:
        return
    fields = {name: data[name] for name in CORE_FIELDS}
    if current is None:
        session.add(KnownCore(core_id=data["core_id"], **fields))
    else:
        for name, value in fields.items():
            setattr(current, name, value)


# The catalog's core events: each carries the core's terms as they now are.
CORE_EVENTS = (
    catalog_events.CORE_PUBLISHED,
    catalog_events.CORE_UPDATED,
    catalog_events.CORE_DEPRECATED,
    catalog_events.CORE_WITHDRAWN,
)


def event_handlers() -> dict:
    return {
        **directory.handlers,
        **people_directory.handlers,
        **dict.fromkeys(CORE_EVENTS, apply_core),
        **manifest_keys.HANDLERS,
    }
