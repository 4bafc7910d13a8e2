"""The cores that can be licensed, as the catalog last published them (the known_core
projection), read on the request path once per projection version.

A core's row changes only when a newer version of it arrives (handlers.apply_core), so its terms
at a given version never change: a request reads the version with its other rows (one round
trip, see license_requests) and takes the terms from this process's memory, as the rule table
and the signing key are. Loading the whole row as an ORM object cost more CPU per request than
anything else in it.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.licensing.models import KnownCore
from shared.errors import Invalid

REQUESTABLE_CORE_STATES = ("published", "deprecated")
MAX_REMEMBERED = 4096  # cores per database; the oldest remembered is forgotten first
_remembered: dict[sa.Engine, dict[str, CoreTerms]] = {}
_READ_IN_SESSION = "licensing.core_terms"
_VERSION = sa.select(KnownCore.__table__.c.version).where(
    KnownCore.__table__.c.core_id == sa.bindparam("core_id"))


@dataclass(frozen=True)
class CoreTerms:
    """One core version's terms, shared by every request of this process: read them, never
    change them (what a request keeps, it copies)."""

    core_id: str
    vendor_id: str
    vlnv: dict
    status: str
    eccn: str
    territory_restrictions: list
    deliverables: list
    offers: list
    version: int

    def offer(self, offer_id: str) -> dict | None:
        return next((o for o in self.offers if o["offer_id"] == offer_id), None)


def requested_offer(terms: CoreTerms | None, core_id: str, offer_id: str) -> dict:
    """The offer a licensee asks for, of a core that is offered; else Invalid, naming the
    field at fault."""
    if terms is None or terms.status not in REQUESTABLE_CORE_STATES:
        raise Invalid(f"core {core_id} is not offered", field="core_id")
    offer = terms.offer(offer_id)
    if offer is None:
        raise Invalid(f"core {core_id} has no offer {offer_id}", field="offer_id")
    return offer


_UNREAD = object()


def core_terms(session: Session, core_id: str, version: int | None = _UNREAD) -> CoreTerms | None:
    """The terms of `core_id` (None: unknown here). `version`: its projection version, read
    with the caller's other rows; without it, it is read here unless this session has read the
    core already."""
    read_in_session = session.info.setdefault(_READ_IN_SESSION, {})
    if version is _UNREAD:
        if core_id in read_in_session:
            return read_in_session[core_id]
        version = session.connection().execute(_VERSION, {"core_id": core_id}).scalar()
    if version is None:
        return None
    remembered = _remembered.setdefault(session.get_bind(), {})
    terms = remembered.get(core_id)
    if terms is None or terms.version != version:
        terms = _read(session, core_id)
        if terms is not None:
            if len(remembered) >= MAX_REMEMBERED:
                del remembered[next(iter(remembered))]
            remembered[core_id] = terms
    read_in_session[core_id] = terms
    return terms


def _read(session: Session, core_id: str) -> CoreTerms | None:
    core = session.get(KnownCore, core_id)  # the row as it is now: perhaps newer than asked
    if core is None:
        return None
    return CoreTerms(core_id=core.core_id, vendor_id=core.vendor_id, vlnv=core.vlnv,
                     status=core.status, eccn=core.eccn,
                     territory_restrictions=core.territory_restrictions,
                     deliverables=core.deliverables, offers=core.offers, version=core.version)
