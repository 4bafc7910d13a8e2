"""Events the deliverables service consumes: the directory (who holds which key), core versions
(which vendor owns which version) and licenses with their states (who may download). Each
handler updates a projection in the consumer's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from services.deliverables.domain.licenses import STATE_AFTER, state_after
from services.deliverables.models import (
    KnownApiKey,
    KnownCoreVersion,
    KnownLicense,
    KnownOrganisation,
)
from shared.directory import Directory
from shared.events import Event
from shared.events import catalog as catalog_events
from shared.events import licensing as licensing_events

STREAMS = ["catalog", "licensing"]
directory = Directory(KnownOrganisation, KnownApiKey)


def apply_core(event: Event, session: Session) -> None:
    """Keep the newest state of a core version (the catalog's `version` orders them)."""
    data = event.data
    current = session.get(KnownCoreVersion, data["core_id"])
    if current is not None and current.version >= data["version"]:
        return
    fields = {
        "vendor_id": data["vendor_id"],
        "vlnv": data["vlnv"],
        "status": data["status"],
        "version": data["version"],
    }
    if current is None:
        session.add(KnownCoreVersion(core_id=data["core_id"], **fields))
    else:
        for name, value in fields.items():
            setattr(current, name, value)


def apply_license(event: Event, session: Session) -> None:
    data = event.data
    if data.get("license_id") is None:
        return  # (licensing names the license on every one of these events)
    action = event.type.split(".")[2]  # ipmarket.license.<action>.v1
    current = session.get(KnownLicense, data["license_id"])
    expires_at = data.get("expires_at")
    expires_at = datetime.fromisoformat(expires_at) if expires_at else None
    if current is None:
        session.add(
            KnownLicense(
                license_id=data["license_id"],
                licensee_id=data["licensee_id"],
                vendor_id=data["vendor_id"],
                core_id=data["core_id"],
                state=state_after(None, action),
                expires_at=expires_at,
                changed_at=event.time,
            )
        )
        return
    current.state = state_after(current.state, action)
    current.expires_at = expires_at
    current.changed_at = event.time


LICENSE_EVENTS = {
    getattr(licensing_events, f"LICENSE_{action.upper()}"): apply_license for action in STATE_AFTER
}
CORE_EVENTS = {
    event_type: apply_core
    for event_type in (
        catalog_events.CORE_PUBLISHED,
        catalog_events.CORE_UPDATED,
        catalog_events.CORE_DEPRECATED,
        catalog_events.CORE_WITHDRAWN,
    )
}


def event_handlers() -> dict:
    return {**directory.handlers, **CORE_EVENTS, **LICENSE_EVENTS}
