"""The deliverables service's manifest keys, learnt from its events and served in the JWKS
beside the license keys, so that a licensee checks a manifest with the license keys' JWKS.

Their kid is "manifest-" + the key's JWK thumbprint, derived here from the key itself (the event
carries no kid to trust): a license naming such a kid is refused (domain/verification.py), and
license keys are never read from this table. A retired key leaves the JWKS, as a license key
does. Both handlers are idempotent: a redelivered or late event changes nothing."""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.licensing.models import ManifestKey
from shared.events import Event
from shared.events import deliverables as deliverables_events
from shared.jws import JwsError, manifest_kid, public_jwk, public_key_from_text

log = logging.getLogger(__name__)


def _known(session: Session, public_key: str, created_at: datetime) -> ManifestKey | None:
    try:
        public_key_from_text(public_key)
    except JwsError:
        log.warning("a manifest key event names no Ed25519 key: ignored")
        return None
    kid = manifest_kid(public_key)
    key = session.get(ManifestKey, kid, with_for_update=True)
    if key is None:
        key = ManifestKey(kid=kid, public_key=public_key, created_at=created_at)
        session.add(key)
    return key


def apply_published(event: Event, session: Session) -> None:
    data = event.data
    _known(session, data["public_key"], datetime.fromisoformat(data["created_at"]))


def apply_retired(event: Event, session: Session) -> None:
    data = event.data
    retired_at = datetime.fromisoformat(data["retired_at"])
    key = _known(session, data["public_key"], retired_at)  # (even if first seen now)
    if key is not None and key.retired_at is None:
        key.retired_at = retired_at


HANDLERS = {
    deliverables_events.MANIFEST_KEY_PUBLISHED: apply_published,
    deliverables_events.MANIFEST_KEY_RETIRED: apply_retired,
}


def public_jwks(session: Session) -> list[dict]:
    """The JWKs of the manifest keys in force, oldest first."""
    keys = session.scalars(
        sa.select(ManifestKey)
        .where(ManifestKey.retired_at.is_(None))
        .order_by(ManifestKey.created_at, ManifestKey.kid)
    )
    return [public_jwk(key.kid, key.public_key) for key in keys]
