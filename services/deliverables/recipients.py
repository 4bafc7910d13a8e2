"""A licensee's age public keys: the recipients every file it downloads is encrypted to."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.deliverables import package_queue
from services.deliverables.encryption import InvalidRecipient, parse_recipient
from services.deliverables.models import RecipientKey
from shared.db.schema import utcnow
from shared.directory import Principal
from shared.errors import Conflict, Invalid, NotFound
from shared.messaging.unit_of_work import UnitOfWork

MAX_KEYS = 20  # per organisation: each one is a stanza in every file's header


def register_key(
    uow: UnitOfWork, principal: Principal, public_key: str, label: str
) -> RecipientKey:
    try:
        parse_recipient(public_key)
    except InvalidRecipient as error:
        raise Invalid(f"must be an age X25519 public key (age1…): {error}",
                      field="public_key") from None  # fmt: skip
    with uow:
        held = keys_of(uow.session, principal.organisation_id)
        if any(key.public_key == public_key for key in held):
            raise Conflict("this key is registered already", field="public_key")
        if len(held) >= MAX_KEYS:
            raise Conflict(f"an organisation holds at most {MAX_KEYS} keys", field="public_key")
        key = RecipientKey(
            organisation_id=principal.organisation_id,
            public_key=public_key,
            label=label,
            created_by=principal.actor,
        )
        uow.session.add(key)
        package_queue.want_licensee(uow.session, principal.organisation_id, utcnow())
        uow.commit()
        uow.session.refresh(key)
        uow.session.expunge(key)
    return key


def keys_of(session: Session, organisation_id: str) -> list[RecipientKey]:
    return list(
        session.scalars(
            sa.select(RecipientKey)
            .where(RecipientKey.organisation_id == organisation_id)
            .order_by(RecipientKey.created_at, RecipientKey.key_id)
        )
    )


def remove_key(session: Session, principal: Principal, key_id: str) -> None:
    key = session.get(RecipientKey, key_id)
    if key is None or key.organisation_id != principal.organisation_id:
        raise NotFound(f"no key {key_id} of yours", field="key_id")
    session.delete(key)
    package_queue.want_licensee(session, principal.organisation_id, utcnow())
