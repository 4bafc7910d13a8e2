"""Events the deliverables service consumes: the directory (who holds which key, and the people
whose access tokens it checks), core versions (which vendor owns which version, its ECCN and
territory restrictions), licenses with their states and grants (who may download what), and the
export-screening rule sets (screened again at every download). Each handler updates a
projection in the consumer's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from services.deliverables import package_queue
from services.deliverables.domain.licenses import STATE_AFTER, state_after
from services.deliverables.models import (
    EndedSession,
    KnownApiKey,
    KnownCoreVersion,
    KnownLicense,
    KnownMembership,
    KnownOrganisation,
    KnownPerson,
    KnownPlatformRoles,
    KnownRuleSet,
    KnownTokenKey,
)
from shared.directory import Directory
from shared.events import Event
from shared.events import catalog as catalog_events
from shared.events import licensing as licensing_events
from shared.people_directory import PeopleDirectory

STREAMS = ["catalog", "licensing"]
directory = Directory(KnownOrganisation, KnownApiKey)
people_directory = PeopleDirectory(
    KnownTokenKey,
    KnownPerson,
    KnownMembership,
    EndedSession,
    KnownOrganisation,
    platform_roles_model=KnownPlatformRoles,
)


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
        "eccn": data["eccn"],
        "territory_restrictions": data["territory_restrictions"],
    }
    if current is None:
        session.add(KnownCoreVersion(core_id=data["core_id"], **fields))
        session.flush()
    else:
        for name, value in fields.items():
            setattr(current, name, value)
    package_queue.want_core(session, data["core_id"], event.time)  # (its name is signed)


def apply_license(event: Event, session: Session) -> None:
    data = event.data
    if data.get("license_id") is None:
        return  # (licensing names the license on every one of these events)
    action = event.type.split(".")[2]  # ipmarket.license.<action>.v1
    current = session.get(KnownLicense, data["license_id"])
    expires_at = data.get("expires_at")
    expires_at = datetime.fromisoformat(expires_at) if expires_at else None
    # Said on every event of a license since they were added; kept when an event does not say.
    told = {
        name: data[name]
        for name in ("deliverables", "end_use_country")
        if data.get(name) is not None
    }
    if "deliverables" in told:
        told["granted"] = told.pop("deliverables")
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
                **told,
            )
        )
        session.flush()
        package_queue.want_license(session, data["license_id"], event.time)
        return
    current.state = state_after(current.state, action)
    current.expires_at = expires_at
    current.changed_at = event.time
    for name, value in told.items():
        setattr(current, name, value)
    package_queue.want_license(session, data["license_id"], event.time)


def apply_rule_set(event: Event, session: Session) -> None:
    """Keep every version (a version never changes once published); the highest is in force."""
    data = event.data
    if session.get(KnownRuleSet, data["version"]) is None:
        session.add(
            KnownRuleSet(
                version=data["version"],
                rules=data["rules"],
                embargoed=data["embargoed"],
                published_at=datetime.fromisoformat(data["published_at"]),
            )
        )


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
    return {
        **directory.handlers,
        **people_directory.handlers,
        **CORE_EVENTS,
        **LICENSE_EVENTS,
        licensing_events.SCREENING_RULES_PUBLISHED: apply_rule_set,
    }
