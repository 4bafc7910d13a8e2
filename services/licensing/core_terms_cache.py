"""The terms of the cores that can be licensed (the known_core projection), remembered per
database and projection version in this process's memory.

A core's row changes only when a newer version of it arrives (handlers.apply_core), so its terms
at a given version never change: a request reads the version with its other rows (one round
trip, see request_reads.py) and takes the terms from here, as the rule table and the signing
key are. Loading the whole row as an ORM object cost more CPU per request than anything else in
it.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.licensing.domain.cores import CoreTerms
from services.licensing.models import KnownCore

MAX_REMEMBERED = 4096  # cores per database; the oldest remembered is forgotten first
_remembered: dict[sa.Engine, dict[str, CoreTerms]] = {}
# Built once: building a statement costs more CPU than running it.
_VERSION = sa.select(KnownCore.__table__.c.version).where(
    KnownCore.__table__.c.core_id == sa.bindparam("core_id")
)


def current_terms(session: Session, core_id: str) -> CoreTerms | None:
    """The terms of `core_id` as this transaction sees it (None: unknown here); one SELECT of
    its version, then memory."""
    version = session.connection().execute(_VERSION, {"core_id": core_id}).scalar()
    return terms_at(session, core_id, version)


def terms_at(session: Session, core_id: str, version: int | None) -> CoreTerms | None:
    """The terms of `core_id` at projection `version`, read by the caller with its other rows
    (None: the core is unknown here). Read from the database only when this process has not
    seen that version yet."""
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
    return terms


def _read(session: Session, core_id: str) -> CoreTerms | None:
    core = session.get(KnownCore, core_id)  # the row as it is now: perhaps newer than asked
    if core is None:
        return None
    return CoreTerms(
        core_id=core.core_id,
        vendor_id=core.vendor_id,
        vlnv=core.vlnv,
        status=core.status,
        eccn=core.eccn,
        territory_restrictions=core.territory_restrictions,
        deliverables=core.deliverables,
        offers=core.offers,
        version=core.version,
    )
