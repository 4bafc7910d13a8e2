"""Messages about one person's own account or one organisation's application become a notice
and one e-mail delivery to the addressee (see domain.account_messages), in the consumer's
transaction like every other notice. Their deliveries stand under what they are about (the
person, application or invitation), not an organisation: no organisation's delivery log may
show the single-use links some carry."""

from __future__ import annotations

import functools
import importlib.resources
import logging

from sqlalchemy.orm import Session

from services.notify.domain.account_messages import APPLICATION_TYPES, Addressee, addressee
from services.notify.domain.routing import account_delivery
from services.notify.mail import message_id_for
from services.notify.models import Delivery, Notice
from services.notify.people import person_route
from shared.db.schema import utcnow
from shared.db.session import insert_at_commit
from shared.events import Event

log = logging.getLogger(__name__)


def record_account_message(event: Event, session: Session) -> int:
    """Store the message of `event` for its addressee; how many deliveries (0 or 1)."""
    who = addressee(event.type, event.data)
    if who is None:  # names only the person: address them as the projection knows them
        found = person_route(session, event.data["person_id"])
        if found is None:
            log.warning("notify: %s for unknown person %s", event.type, event.data["person_id"])
            return 0
        who = Addressee(
            event.data["person_id"], found.email, found.name, found.locale, found.timezone
        )
    elif event.type in APPLICATION_TYPES:  # no organisation yet: the time of its country
        who = who._replace(timezone=country_zone(event.data["country"]))
    insert_at_commit(
        session,
        Notice.__table__,
        {
            "event_id": event.id,
            "event_type": event.type,
            "occurred_at": event.time,
            "data": event.data,
        },
    )
    insert_at_commit(
        session,
        Delivery.__table__,
        account_delivery(event.id, who, utcnow(), message_id_for(event.id, who.email)),
    )
    return 1


@functools.cache
def _zones_by_country() -> dict[str, str]:
    # tzdata's zone.tab lists each country's zones, its most populous first.
    table = importlib.resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text()
    zones: dict[str, str] = {}
    for line in table.splitlines():
        if line and not line.startswith("#"):
            country, _, zone = line.split("\t")[:3]
            zones.setdefault(country, zone)
    return zones


def country_zone(country: str) -> str | None:
    """The time zone most of `country` (ISO 3166 alpha-2) keeps; None when unknown."""
    return _zones_by_country().get(country.upper())
