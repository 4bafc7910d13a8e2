"""A signed-in person's passkeys (/v1/people/me/passkeys): enrol one (registration options →
the browser's credential), list them, remove one. Signing in with one is in sessions.py. No
`action=`: a person's own account is no organisation's act, any signed-in person may (an API
key gets 403)."""

from __future__ import annotations

from services.catalog import passkeys
from services.catalog.api.common import event_actor
from services.catalog.api.sessions import relying_party
from services.catalog.domain.people import Actor
from services.catalog.schemas.account_security import (
    PasskeyCeremonySchema,
    PasskeyEnrolSchema,
    PasskeyPageSchema,
    PasskeyRemovedSchema,
    PasskeySchema,
)
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import current_principal, requires
from shared.http.context import service_context

blp = Blueprint(
    "passkeys",
    __name__,
    url_prefix="/v1/people/me/passkeys",
    description="Passkeys (WebAuthn) of the signed-in person.",
)


@blp.post("/options")
@requires(people_only=True)
@blp.response(201, PasskeyCeremonySchema)
@problems(403)
def registration_options():
    """Start enrolling a passkey: the options go to navigator.credentials.create()."""
    with service_context().unit_of_work(event_actor("passkeys.registration_options")) as uow:
        ceremony = passkeys.registration_options(uow, _person(), relying_party())
        uow.commit()
        return {"ceremony_id": ceremony.ceremony_id, "options": ceremony.options}


@blp.post("")
@requires(people_only=True)
@blp.arguments(PasskeyEnrolSchema)
@blp.response(201, PasskeySchema)
@problems(401, 403)
def enrol(body):
    """Keep the passkey the browser made: from now on it signs you in, alone or after the
    password."""
    with service_context().unit_of_work(event_actor("passkeys.enrol")) as uow:
        passkey = passkeys.enrol(
            uow, _person(), body["ceremony_id"], body["credential"], body["name"], relying_party()
        )
        uow.commit()
        return passkey


@blp.get("")
@requires(people_only=True)
@blp.response(200, PasskeyPageSchema)
@problems(401, 403)
def list_passkeys():
    """Your passkeys: name, when enrolled, when last used."""
    with service_context().unit_of_work() as uow:  # read inside: the rows end with it
        items = [
            {"id": p.id, "name": p.name, "created_at": p.created_at, "last_used_at": p.last_used_at}
            for p in passkeys.passkeys_of(uow, _person())
        ]
    return {"items": items, "next": None}


@blp.delete("/<id:passkey_id>")
@requires(people_only=True)
@blp.response(200, PasskeyRemovedSchema)
@problems(401, 403, 404)
def remove_passkey(passkey_id: str):
    """Remove a passkey (a lost phone, an old laptop): it no longer signs you in."""
    with service_context().unit_of_work() as uow:
        passkeys.remove(uow, _person(), passkey_id)
        uow.commit()
        return {"id": passkey_id, "removed": True}


def _person() -> Actor:
    return Actor(person_id=current_principal().person_id)
