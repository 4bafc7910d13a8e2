"""Events the licensing service consumes: the catalog's directory and its cores."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.licensing.models import KnownApiKey, KnownCore, KnownOrganisation
from shared.directory import Directory
from shared.events import Event

STREAMS = ["catalog"]
directory = Directory(KnownOrganisation, KnownApiKey)
CORE_FIELDS = ("vendor_id", "vlnv", "title_en", "status", "eccn", "territory_restrictions",
               "deliverables", "offers", "version")


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


# The catalog's core events (shared/events/catalog.py names no constants for them yet).
CORE_EVENTS = ("ipmarket.core.published.v1", "ipmarket.core.updated.v1",
               "ipmarket.core.deprecated.v1", "ipmarket.core.withdrawn.v1")


def event_handlers() -> dict:
    return {**directory.handlers, **dict.fromkeys(CORE_EVENTS, apply_core)}
