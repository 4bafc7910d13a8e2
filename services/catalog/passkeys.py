"""Passkeys (WebAuthn, through the `webauthn` library): a signed-in person enrols one
(registration options → the browser's credential → verified and kept), then signs in with it
alone (a passkey with user verification is two factors in one) or uses it as the second factor
after the password. Each takes a unit of work.

Every ceremony's challenge is a row deleted when it is answered, so a recorded answer replayed
finds no challenge; the library checks the origin, the relying party, the signature and that
the person was verified (PIN or biometrics), and a signature counter that went backwards is
refused (a cloned authenticator)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import webauthn
from webauthn.helpers import bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from services.catalog import sign_in
from services.catalog.domain.people import Actor
from services.catalog.people import Clock
from services.catalog.people_models import Passkey, PasskeyChallenge, Person
from services.catalog.sessions import SignedIn, open_session
from services.catalog.unit_of_work import CatalogWork, catalog_work
from shared.db.schema import utcnow
from shared.errors import Forbidden, Invalid, NotAuthenticated, NotFound
from shared.messaging.unit_of_work import UnitOfWork

CEREMONY_WINDOW = timedelta(minutes=5)
REGISTER, SIGN_IN, SECOND_FACTOR = "register", "sign_in", "second_factor"
REFUSED = "the passkey was not accepted: try again"


@dataclass(frozen=True)
class RelyingParty:
    """Who passkeys are made for: the web origin people sign in on (the portal); its host name
    is the relying party's id."""

    origin: str
    name: str = "ipmarket"

    @property
    def id(self) -> str:
        return urlsplit(self.origin).hostname


@dataclass
class Ceremony:
    """What the browser needs (`options`, for navigator.credentials) and the id that returns
    with its answer."""

    ceremony_id: str
    options: dict


def registration_options(
    uow: UnitOfWork | CatalogWork, actor: Actor, rp: RelyingParty, clock: Clock = utcnow
) -> Ceremony:
    work = catalog_work(uow)
    person = _signed_in_person(work, actor)
    options = webauthn.generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_name=person.email,
        user_id=person.id.encode(),
        user_display_name=person.name_en,
        exclude_credentials=[_descriptor(p) for p in work.records.passkeys_of(person.id)],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
    )
    return _ceremony(work, REGISTER, person.id, options, clock())


def enrol(
    uow: UnitOfWork | CatalogWork,
    actor: Actor,
    ceremony_id: str,
    credential: dict,
    name: str,
    rp: RelyingParty,
    clock: Clock = utcnow,
) -> Passkey:
    """Keep the passkey the browser made for the registration options of `ceremony_id`."""
    work = catalog_work(uow)
    now = clock()
    person = _signed_in_person(work, actor)
    challenge = _answered(work, ceremony_id, REGISTER, now, person.id)
    try:
        verified = webauthn.verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise Invalid(f"not a passkey for this registration: {error}", field="credential") from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if work.records.passkey_by_credential(credential_id) is not None:
        raise Invalid("this passkey is enrolled already", field="credential")
    passkey = Passkey(
        person_id=person.id,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        name=(name or "").strip()[:100] or "passkey",
        created_at=now,
    )
    work.records.add(passkey)
    work.records.flush()
    return passkey


def passkeys_of(uow: UnitOfWork | CatalogWork, actor: Actor) -> list[Passkey]:
    """The signed-in person's passkeys, oldest first."""
    work = catalog_work(uow)
    return work.records.passkeys_of(_signed_in_person(work, actor).id)


def remove(uow: UnitOfWork | CatalogWork, actor: Actor, passkey_id: str) -> None:
    """The person's passkey stops signing them in. Another person's is as absent as none."""
    work = catalog_work(uow)
    person = _signed_in_person(work, actor)
    passkey = next((p for p in work.records.passkeys_of(person.id) if p.id == passkey_id), None)
    if passkey is None:
        raise NotFound(f"passkey {passkey_id} does not exist")
    work.records.delete(passkey)
    work.records.flush()


def authentication_options(
    uow: UnitOfWork | CatalogWork,
    rp: RelyingParty,
    second_factor_token: str | None = None,
    clock: Clock = utcnow,
) -> Ceremony:
    """Options to sign in with a passkey alone (any of the person's, the browser offers them),
    or, with the token of a right password, as that person's second factor."""
    work = catalog_work(uow)
    now = clock()
    person = None
    if second_factor_token is not None:
        person = sign_in.person_of(work, second_factor_token, sign_in.SECOND_FACTOR, now)
    options = webauthn.generate_authentication_options(
        rp_id=rp.id,
        allow_credentials=[_descriptor(p) for p in work.records.passkeys_of(person.id)]
        if person
        else None,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    purpose = SECOND_FACTOR if person else SIGN_IN
    return _ceremony(work, purpose, person.id if person else None, options, now)


def sign_in_with_passkey(
    uow: UnitOfWork | CatalogWork,
    ceremony_id: str,
    credential: dict,
    rp: RelyingParty,
    *,
    client_address: str,
    user_agent: str = "",
    device_id: str | None = None,
    clock: Clock = utcnow,
) -> SignedIn:
    """The browser's assertion for the options of `ceremony_id`: a session for its person."""
    work = catalog_work(uow)
    now = clock()
    ceremony = work.records.passkey_challenge(ceremony_id)
    purpose = SECOND_FACTOR if ceremony and ceremony.purpose == SECOND_FACTOR else SIGN_IN
    challenge = _answered(work, ceremony_id, purpose, now)
    person = _asserted(work, challenge, credential, rp, now, ceremony_person=ceremony.person_id)
    return open_session(work, person, client_address, user_agent, now, device_id)


# --- parts ------------------------------------------------------------------------------------


def _signed_in_person(work: CatalogWork, actor: Actor) -> Person:
    person = actor.person_id and work.records.person(actor.person_id)
    if not person or person.disabled_at is not None:
        raise Forbidden("a passkey is a signed-in person's own")
    return person


def _descriptor(passkey: Passkey) -> PublicKeyCredentialDescriptor:
    return PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(passkey.credential_id))


def _ceremony(work, purpose: str, person_id: str | None, options, now: datetime) -> Ceremony:
    # Anyone may start a ceremony: unanswered ones must not pile up.
    work.records.forget_expired_passkey_challenges(now)
    row = PasskeyChallenge(
        purpose=purpose,
        challenge=options.challenge,
        person_id=person_id,
        expires_at=now + CEREMONY_WINDOW,
    )
    work.records.add(row)
    work.records.flush()
    return Ceremony(row.id, json.loads(webauthn.options_to_json(options)))


def _answered(
    work: CatalogWork, ceremony_id: str, purpose: str, now: datetime, person_id: str | None = None
) -> bytes:
    """The ceremony's challenge, which is answered now and never again."""
    row = work.records.passkey_challenge(ceremony_id)
    if row is None or row.purpose != purpose or (person_id and row.person_id != person_id):
        raise NotAuthenticated("the passkey step has expired or been used: start again")
    work.records.delete(row)
    work.records.flush()
    if now >= row.expires_at:
        raise NotAuthenticated("the passkey step has expired or been used: start again")
    return row.challenge


def _asserted(
    work, challenge: bytes, credential, rp: RelyingParty, now, ceremony_person: str | None
) -> Person:
    try:
        credential_id = parse_authentication_credential_json(credential).id
    except (WebAuthnException, ValueError, KeyError, TypeError):
        raise NotAuthenticated(REFUSED) from None
    passkey = work.records.passkey_by_credential(credential_id)
    if passkey is None or (ceremony_person and passkey.person_id != ceremony_person):
        raise NotAuthenticated(REFUSED)
    try:
        verified = webauthn.verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):
        raise NotAuthenticated(REFUSED) from None
    person = work.records.person(passkey.person_id)
    if person is None or person.disabled_at is not None:
        raise NotAuthenticated(REFUSED)
    passkey.sign_count, passkey.last_used_at = verified.new_sign_count, now
    return person
