"""Passkeys on records in memory, against a software authenticator's real signatures: enrol,
sign in alone or as the second factor; a replayed, altered, cloned or misdirected answer is
refused."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from webauthn import base64url_to_bytes

from services.catalog import passkeys, second_factor, sign_in
from services.catalog.domain.people import Actor
from shared.errors import Forbidden, Invalid, NotAuthenticated
from tests.unit.services.catalog.soft_authenticator import (
    USER_PRESENT,
    SoftAuthenticator,
    b64url,
)
from tests.unit.services.catalog.test_account_security import EMAIL, Clock, attempt, joined

RP = passkeys.RelyingParty("https://portal.vip-platform.hk")


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def work(clock):
    return joined(clock)


@pytest.fixture
def person(work):
    return work.records.person_by_email(EMAIL)


@pytest.fixture
def authenticator(work, person, clock):
    """Li Wei's phone, enrolled as a passkey."""
    phone = SoftAuthenticator(RP.origin)
    actor = Actor(person_id=person.id)
    ceremony = passkeys.registration_options(work, actor, RP, clock=clock)
    assert ceremony.options["rp"]["id"] == "portal.vip-platform.hk"
    assert ceremony.options["authenticatorSelection"]["userVerification"] == "required"
    passkey = passkeys.enrol(
        work, actor, ceremony.ceremony_id, phone.create(ceremony.options), "phone", RP, clock=clock
    )
    assert (passkey.person_id, passkey.name, passkey.credential_id) == (
        person.id,
        "phone",
        b64url(phone.credential_id),
    )
    return phone


def passkey_sign_in(work, clock, ceremony, credential):
    return passkeys.sign_in_with_passkey(
        work, ceremony.ceremony_id, credential, RP, client_address="203.0.113.7", clock=clock
    )


def test_a_passkey_alone_signs_in_and_its_recorded_answer_never_again(
    work, clock, person, authenticator
):
    ceremony = passkeys.authentication_options(work, RP, clock=clock)
    recorded = authenticator.get(ceremony.options)
    signed_in = passkey_sign_in(work, clock, ceremony, recorded)
    assert signed_in.session.person_id == person.id and signed_in.access_token
    with pytest.raises(NotAuthenticated):  # the same ceremony: its challenge is gone
        passkey_sign_in(work, clock, ceremony, recorded)
    with pytest.raises(NotAuthenticated):  # … even for a new, validly counted answer to it
        passkey_sign_in(work, clock, ceremony, authenticator.get(ceremony.options))
    fresh = passkeys.authentication_options(work, RP, clock=clock)
    with pytest.raises(NotAuthenticated):  # a new ceremony: another challenge
        passkey_sign_in(work, clock, fresh, recorded)


@pytest.mark.parametrize("part", ["signature", "authenticatorData", "clientDataJSON"])
def test_an_altered_answer_is_refused(work, clock, authenticator, part):
    ceremony = passkeys.authentication_options(work, RP, clock=clock)
    altered = copy.deepcopy(authenticator.get(ceremony.options))
    text = altered["response"][part]
    altered["response"][part] = text[:-6] + ("AAAAAA" if text[-6:] != "AAAAAA" else "BBBBBB")
    with pytest.raises(NotAuthenticated):
        passkey_sign_in(work, clock, ceremony, altered)


def test_another_origin_or_a_cloned_authenticator_is_refused(work, clock, authenticator):
    phishing = copy.copy(authenticator)
    phishing.origin = "https://portal.vip-platform.hk.evil.example"
    ceremony = passkeys.authentication_options(work, RP, clock=clock)
    with pytest.raises(NotAuthenticated):
        passkey_sign_in(work, clock, ceremony, phishing.get(ceremony.options))
    ceremony = passkeys.authentication_options(work, RP, clock=clock)
    passkey_sign_in(work, clock, ceremony, authenticator.get(ceremony.options))
    authenticator.sign_count -= 2  # a copy of the key, behind the original's counter
    ceremony = passkeys.authentication_options(work, RP, clock=clock)
    with pytest.raises(NotAuthenticated):
        passkey_sign_in(work, clock, ceremony, authenticator.get(ceremony.options))


def test_a_passkey_without_user_verification_is_refused(work, clock, authenticator):
    authenticator.flags = USER_PRESENT  # touched, but no PIN or biometrics
    ceremony = passkeys.authentication_options(work, RP, clock=clock)
    with pytest.raises(NotAuthenticated):
        passkey_sign_in(work, clock, ceremony, authenticator.get(ceremony.options))


def test_a_passkey_is_the_second_factor_after_the_password(work, clock, person, authenticator):
    assert second_factor.in_force(work.records, person.id)
    pending = attempt(work, clock)
    assert isinstance(pending, sign_in.SecondFactorNeeded) and not pending.setup
    ceremony = passkeys.authentication_options(work, RP, pending.second_factor_token, clock=clock)
    assert [c["id"] for c in ceremony.options["allowCredentials"]] == [
        b64url(authenticator.credential_id)
    ]
    signed_in = passkey_sign_in(work, clock, ceremony, authenticator.get(ceremony.options))
    assert signed_in.session.person_id == person.id
    assert second_factor.reset(work.records, person.id)  # an operator's reset removes it too
    assert not work.records.passkeys_of(person.id)


def test_a_registration_ceremony_does_not_sign_in_and_a_key_enrols_nothing(work, clock, person):
    phone = SoftAuthenticator(RP.origin)
    actor = Actor(person_id=person.id)
    ceremony = passkeys.registration_options(work, actor, RP, clock=clock)
    with pytest.raises(NotAuthenticated):
        passkey_sign_in(work, clock, ceremony, phone.create(ceremony.options))
    with pytest.raises(Forbidden):
        passkeys.registration_options(work, Actor(key_id="key-1"), RP, clock=clock)
    ceremony = passkeys.registration_options(work, actor, RP, clock=clock)
    made = phone.create(ceremony.options)
    made["response"]["clientDataJSON"] = made["response"]["clientDataJSON"][:-4] + "AAAA"
    with pytest.raises(Invalid) as refused:
        passkeys.enrol(work, actor, ceremony.ceremony_id, made, "phone", RP, clock=clock)
    assert refused.value.field == "credential" and not work.records.passkeys_of(person.id)


def test_an_unanswered_ceremony_expires_and_is_forgotten(work, clock, authenticator):
    from services.catalog.people_models import PasskeyChallenge

    stale = passkeys.authentication_options(work, RP, clock=clock)
    clock.now += passkeys.CEREMONY_WINDOW
    with pytest.raises(NotAuthenticated):
        passkey_sign_in(work, clock, stale, authenticator.get(stale.options))
    stale = passkeys.authentication_options(work, RP, clock=clock)
    clock.now += passkeys.CEREMONY_WINDOW
    passkeys.authentication_options(work, RP, clock=clock)
    assert stale.ceremony_id not in [r.id for r in work.records._of(PasskeyChallenge)]


RECORDING = json.loads((Path(__file__).parent / "passkey_recording.json").read_text())


def recorded_ceremony(work, clock, purpose, challenge, person_id=None) -> passkeys.Ceremony:
    """The server's state of a ceremony whose options went out with the recorded challenge."""
    from services.catalog.people_models import PasskeyChallenge

    row = PasskeyChallenge(
        purpose=purpose,
        challenge=base64url_to_bytes(challenge),
        person_id=person_id,
        expires_at=clock() + passkeys.CEREMONY_WINDOW,
    )
    work.records.add(row)
    work.records.flush()
    return passkeys.Ceremony(row.id, {})


def test_a_recorded_registration_and_assertion_pass_the_ceremony_once(work, clock, person):
    rp = passkeys.RelyingParty(RECORDING["origin"])
    enrolling = recorded_ceremony(
        work, clock, passkeys.REGISTER, RECORDING["registration_challenge"], person.id
    )
    passkeys.enrol(
        work,
        Actor(person_id=person.id),
        enrolling.ceremony_id,
        RECORDING["registration"],
        "recorded",
        rp,
        clock=clock,
    )
    signing_in = recorded_ceremony(work, clock, passkeys.SIGN_IN, RECORDING["assertion_challenge"])
    answer = copy.deepcopy(RECORDING["assertion"])
    signed_in = passkeys.sign_in_with_passkey(
        work, signing_in.ceremony_id, answer, rp, client_address="203.0.113.7", clock=clock
    )
    assert signed_in.session.person_id == person.id
    # The same answer to a ceremony restated with the same challenge: the counter is no
    # longer ahead of the server's (a replay); and an altered copy fails its signature.
    replayed = recorded_ceremony(work, clock, passkeys.SIGN_IN, RECORDING["assertion_challenge"])
    with pytest.raises(NotAuthenticated):
        passkeys.sign_in_with_passkey(
            work, replayed.ceremony_id, answer, rp, client_address="203.0.113.7", clock=clock
        )
    altered = copy.deepcopy(answer)
    altered["response"]["signature"] = altered["response"]["signature"][:-4] + "AAAA"
    work.records.passkeys_of(person.id)[0].sign_count = 0  # so that only the signature fails
    again = recorded_ceremony(work, clock, passkeys.SIGN_IN, RECORDING["assertion_challenge"])
    with pytest.raises(NotAuthenticated):
        passkeys.sign_in_with_passkey(
            work, again.ceremony_id, altered, rp, client_address="203.0.113.7", clock=clock
        )
