"""What an organisation wants to hear: channels per event type, and the cores and vendors it
watches. Plain domain code on a SQLAlchemy session; the caller commits."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.notify.domain.routing import NOTICE_TYPES
from services.notify.models import KnownCore, KnownOrganisation, Preference, Watch
from shared.errors import Conflict, Invalid, NotFound

WATCH_KINDS = ("core", "vendor")


def preferences_of(session: Session, organisation_id: str) -> dict[str, dict[str, bool]]:
    """Every notice type with the channels the organisation gets it by (default: both)."""
    chosen = {
        p.event_type: p
        for p in session.scalars(
            sa.select(Preference).where(Preference.organisation_id == organisation_id)
        )
    }
    return {
        event_type: {
            "email": chosen[event_type].email if event_type in chosen else True,
            "webhook": chosen[event_type].webhook if event_type in chosen else True,
        }
        for event_type in NOTICE_TYPES
    }


def set_preference(
    session: Session, organisation_id: str, event_type: str, *, email: bool, webhook: bool
) -> None:
    if event_type not in NOTICE_TYPES:
        raise NotFound(f"unknown event type {event_type!r}")
    preference = session.get(Preference, (organisation_id, event_type))
    if preference is None:
        session.add(
            Preference(
                organisation_id=organisation_id, event_type=event_type, email=email, webhook=webhook
            )
        )
    else:
        preference.email, preference.webhook = email, webhook


def watch(session: Session, organisation_id: str, kind: str, target_id: str) -> Watch:
    """Follow a core (every version of it) or a vendor; the target must be known here."""
    if kind not in WATCH_KINDS:
        raise Invalid("must be core or vendor", field="kind")
    if kind == "core" and session.get(KnownCore, target_id) is None:
        raise Invalid(f"no published core {target_id}", field="target_id")
    if kind == "vendor":
        vendor = session.get(KnownOrganisation, target_id)
        if vendor is None or "vendor" not in vendor.roles:
            raise Invalid(f"no vendor {target_id}", field="target_id")
    exists = session.scalar(
        sa.select(Watch).where(
            Watch.organisation_id == organisation_id,
            Watch.kind == kind,
            Watch.target_id == target_id,
        )
    )
    if exists is not None:
        raise Conflict(f"already watching this {kind}", watch_id=exists.id)
    new = Watch(organisation_id=organisation_id, kind=kind, target_id=target_id)
    session.add(new)
    session.flush()
    return new


def watches_of(session: Session, organisation_id: str) -> list[Watch]:
    return list(
        session.scalars(
            sa.select(Watch)
            .where(Watch.organisation_id == organisation_id)
            .order_by(Watch.created_at)
        )
    )


def unwatch(session: Session, organisation_id: str, watch_id: str) -> None:
    found = session.get(Watch, watch_id)
    if found is None or found.organisation_id != organisation_id:
        raise NotFound(f"watch {watch_id} does not exist")
    session.delete(found)
