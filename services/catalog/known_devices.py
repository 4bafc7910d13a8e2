"""Which browsers and devices a person signs in from, so that a sign-in from a new one is news
to them (SIGNED_IN_FROM_NEW_DEVICE; notify writes the e-mail).

"Seen before" is a random device identifier the browser keeps (a long-lived HttpOnly cookie set
at sign-in), of which only the SHA-256 is kept per person. Not a hash of the user agent: that
changes with every browser update (false alarms that teach people to ignore the notice) and is
the same for everyone on one browser version (an intruder on the same Chrome goes unnoticed).
Clearing cookies makes the browser new again, which is what the person would expect to hear.
A person's very first device is not news (they have just joined); every later new one is."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from services.catalog.people import person_notice
from services.catalog.people_models import KnownDevice, Person, PersonSession
from services.catalog.unit_of_work import CatalogWork
from shared.events import people as events


def recognise(
    work: CatalogWork,
    person: Person,
    session: PersonSession,
    device_id: str | None,
    now: datetime,
) -> str:
    """The device identifier the browser keeps from now on: the one it sent if the person has
    used it before, else a new one (and, unless this is the person's first, the event)."""
    known = device_id and work.records.known_device(person.id, _hash(device_id))
    if known:
        known.last_seen_at, known.user_agent = now, session.user_agent
        return device_id
    first = not work.records.has_known_devices(person.id)
    device_id = secrets.token_urlsafe(24)
    work.records.add(
        KnownDevice(
            person_id=person.id,
            device_hash=_hash(device_id),
            user_agent=session.user_agent,
            first_seen_at=now,
            last_seen_at=now,
        )
    )
    work.records.flush()
    if not first:
        work.publish(
            events.SIGNED_IN_FROM_NEW_DEVICE,
            person.id,
            person_notice(work, person)
            | {
                "session_id": session.id,
                "user_agent": session.user_agent,
                "client_address": session.client_address[:45],
                "signed_in_at": now.isoformat(),
            },
        )
    return device_id


def _hash(device_id: str) -> str:
    return hashlib.sha256(device_id.encode()).hexdigest()
