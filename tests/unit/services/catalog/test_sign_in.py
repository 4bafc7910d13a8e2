"""Signing in, on records in memory: password, throttling, second factor, sessions, tokens."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest

from services.catalog import (
    invitations,
    organisation_applications,
    people,
    second_factor,
    sessions,
    sign_in,
)
from services.catalog.domain.people import Actor
from shared.access_tokens import LEEWAY
from shared.errors import NotAuthenticated, NotFound
from shared.events import people as events
from shared.events.registry import schema_for
from tests.unit.services.catalog.fakes import NOW, FakeWork
from tests.unit.services.catalog.people_fakes import InMemoryPeopleRecords

PASSWORD = "plum kettle orbit 47"
EMAIL = "li.wei@xinyuan-micro.cn"
OPERATOR = Actor(platform_roles=frozenset({"operator"}), person_id="operator-1")


class Clock:
    def __init__(self):
        self.now = NOW

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def work(clock):
    work = FakeWork(InMemoryPeopleRecords())
    submitted = organisation_applications.apply(
        work,
        legal_name_en="Xinyuan",
        country="CN",
        registration_number="91310000",
        roles=["vendor"],
        contact_name="Li Wei",
        contact_email=EMAIL,
    )
    _, token = organisation_applications.decide_application(
        work, OPERATOR, submitted.id, "approved", clock=clock
    )
    invitations.accept_invitation(work, token, name_en="Li Wei", password=PASSWORD, clock=clock)
    work.published.clear()
    return work


def attempt(work, clock, email=EMAIL, password=PASSWORD, address="203.0.113.7", device_id=None):
    return sign_in.sign_in(
        work,
        email,
        password,
        client_address=address,
        user_agent="pytest",
        device_id=device_id,
        clock=clock,
    )


def test_the_right_password_opens_a_session_whose_token_names_the_roles(work, clock):
    signed_in = attempt(work, clock)
    actor = sessions.actor_for_access_token(work, signed_in.access_token, clock=clock)
    ((org_id, roles),) = actor.memberships.items()
    assert roles == {"owner"} and actor.person_id == signed_in.session.person_id
    ((event_type, _, data),) = work.published  # the first access key is announced
    assert event_type == events.ACCESS_TOKEN_KEY_ANNOUNCED
    schema_for(event_type).load(data)
    attempt(work, clock, device_id=signed_in.device_id)  # from the same browser: no news
    assert len(work.published) == 1  # and only once


def test_unknown_address_wrong_password_and_disabled_person_get_the_same_refusal(work, clock):
    refusals = []
    for email, password in ((EMAIL, "wrong " + PASSWORD), ("nobody@example.com", PASSWORD)):
        with pytest.raises(NotAuthenticated) as raised:
            attempt(work, clock, email, password)
        refusals.append((raised.value.status, raised.value.detail, raised.value.field))
    work.records.person_by_email(EMAIL).disabled_at = NOW
    with pytest.raises(NotAuthenticated) as raised:
        attempt(work, clock)
    refusals.append((raised.value.status, raised.value.detail, raised.value.field))
    assert len(set(refusals)) == 1


@pytest.mark.parametrize("email", [EMAIL, "nobody@example.com"])
def test_failures_on_an_account_are_throttled_and_the_right_password_waits(work, clock, email):
    for _ in range(5):
        with pytest.raises(NotAuthenticated):
            attempt(work, clock, email, "wrong " + PASSWORD)
    with pytest.raises(NotAuthenticated):  # the sixth failure starts a wait …
        attempt(work, clock, email, "wrong " + PASSWORD)
    with pytest.raises(sign_in.Throttled) as raised:  # … that the right password waits out too
        attempt(work, clock, email, PASSWORD)
    assert raised.value.retry_after == 2
    clock.now += timedelta(seconds=2)
    if email == EMAIL:
        assert attempt(work, clock).access_token
    for _ in range(4):  # each further failure doubles the wait
        with pytest.raises((NotAuthenticated, sign_in.Throttled)):
            attempt(work, clock, email, "wrong " + PASSWORD)
        clock.now += timedelta(seconds=1)


def test_one_address_trying_many_accounts_is_throttled(work, clock):
    for i in range(21):
        with pytest.raises(NotAuthenticated):
            attempt(work, clock, f"guess{i}@example.com", "wrong " + PASSWORD)
    with pytest.raises(sign_in.Throttled):
        attempt(work, clock)
    assert attempt(work, clock, address="198.51.100.9").access_token  # another address


def with_totp(work, clock) -> pyotp.TOTP:
    person = work.records.person_by_email(EMAIL)
    uri = second_factor.enrol(work.records, person.id, EMAIL, clock())
    generator = pyotp.parse_uri(uri)
    codes = second_factor.confirm(work.records, person.id, generator.at(clock()), clock())
    assert len(codes) == 10
    clock.now += timedelta(seconds=30)
    return generator, codes


def test_with_a_second_factor_the_password_alone_opens_no_session(work, clock):
    generator, _ = with_totp(work, clock)
    pending = attempt(work, clock)
    assert isinstance(pending, sign_in.SecondFactorNeeded)
    assert not work.records.sessions_of(work.records.person_by_email(EMAIL).id)
    with pytest.raises(NotAuthenticated):
        sign_in.complete_sign_in(
            work, pending.second_factor_token, "000000", client_address="203.0.113.7", clock=clock
        )
    code = generator.at(clock())
    signed_in = sign_in.complete_sign_in(
        work, pending.second_factor_token, code, client_address="203.0.113.7", clock=clock
    )
    assert signed_in.access_token
    with pytest.raises(NotAuthenticated):  # a code works once
        sign_in.complete_sign_in(
            work,
            attempt(work, clock).second_factor_token,
            code,
            client_address="203.0.113.7",
            clock=clock,
        )


def test_a_recovery_code_works_once(work, clock):
    _, codes = with_totp(work, clock)
    complete = lambda code: sign_in.complete_sign_in(  # noqa: E731
        work, attempt(work, clock).second_factor_token, code, client_address="a", clock=clock
    )
    assert complete(codes[3]).access_token
    with pytest.raises(NotAuthenticated):
        complete(codes[3])


def test_refreshing_rotates_the_refresh_token(work, clock):
    first = attempt(work, clock)
    renewed = sessions.refresh(work, first.refresh_token, clock=clock)
    assert renewed.session is first.session and renewed.refresh_token != first.refresh_token
    with pytest.raises(NotAuthenticated):
        sessions.refresh(work, first.refresh_token, clock=clock)


def test_an_ended_session_or_disabled_person_is_refused_at_once(work, clock):
    one, two, three = attempt(work, clock), attempt(work, clock), attempt(work, clock)
    actor = sessions.actor_for_access_token(work, one.access_token, clock=clock)
    assert len(sessions.list_sessions(work, actor)) == 3
    sessions.end_sessions(work, actor, session_id=two.session.id, clock=clock)
    for ended in (two.access_token,):
        with pytest.raises(NotAuthenticated):
            sessions.actor_for_access_token(work, ended, clock=clock)
    with pytest.raises(NotAuthenticated):
        sessions.refresh(work, two.refresh_token, clock=clock)
    assert sessions.end_sessions(work, actor, keep=one.session.id, clock=clock) == 1
    with pytest.raises(NotAuthenticated):
        sessions.actor_for_access_token(work, three.access_token, clock=clock)
    with pytest.raises(NotFound):
        sessions.end_sessions(work, actor, session_id=two.session.id, clock=clock)
    work.records.person_by_email(EMAIL).disabled_at = NOW
    with pytest.raises(NotAuthenticated):
        sessions.actor_for_access_token(work, one.access_token, clock=clock)


def test_an_access_token_expires_after_five_minutes_and_a_forged_one_fails(work, clock):
    token = attempt(work, clock).access_token
    head, claims, signature = token.split(".")
    with pytest.raises(NotAuthenticated):
        sessions.actor_for_access_token(work, f"{head}.{claims}x.{signature}", clock=clock)
    clock.now += timedelta(minutes=5) - timedelta(seconds=1) + LEEWAY
    sessions.actor_for_access_token(work, token, clock=clock)  # the clocks' leeway
    clock.now += timedelta(seconds=1)
    with pytest.raises(NotAuthenticated, match="expired"):
        sessions.actor_for_access_token(work, token, clock=clock)


def test_a_removed_membership_is_gone_from_the_catalogs_check_at_once(work, clock):
    signed_in = attempt(work, clock)
    person = work.records.person_by_email(EMAIL)
    (membership,) = work.records.memberships_of(person.id)
    work.records.delete(membership)
    assert (
        sessions.actor_for_access_token(work, signed_in.access_token, clock=clock).memberships == {}
    )


def test_an_operator_must_set_up_a_second_factor_before_any_session(work, clock):
    people.create_operator(work, "ops@vip.hk", "Chan Tai Man", PASSWORD, clock=clock)
    pending = attempt(work, clock, "ops@vip.hk")
    assert isinstance(pending, sign_in.SecondFactorNeeded) and pending.setup
    operator = work.records.person_by_email("ops@vip.hk")
    assert not work.records.sessions_of(operator.id)
    with pytest.raises(NotAuthenticated):  # the setup token is no sign-in token
        sign_in.complete_sign_in(
            work, pending.second_factor_token, "123456", client_address="a", clock=clock
        )
    generator = pyotp.parse_uri(
        sign_in.set_up_second_factor(work, pending.second_factor_token, clock=clock)
    )
    with pytest.raises(NotAuthenticated):
        sign_in.confirm_second_factor(
            work, pending.second_factor_token, "000000", client_address="a", clock=clock
        )
    signed_in, codes = sign_in.confirm_second_factor(
        work, pending.second_factor_token, generator.at(clock()), client_address="a", clock=clock
    )
    assert len(codes) == 10 and signed_in.session.person_id == operator.id
    assert not attempt(work, clock, "ops@vip.hk").setup  # next time: a code, as anyone's


def test_every_refusal_costs_one_argon2id_check_with_the_same_parameters(work, clock, monkeypatch):
    """The timing twin: an unknown address or a disabled person is checked against a dummy
    hash made with the same parameters, so no refusal is quicker than another."""
    from argon2 import extract_parameters

    from services.catalog import password_hashing

    checked = []
    real = password_hashing.HASHER

    class Counting:
        def verify(self, stored, given):
            checked.append(extract_parameters(stored))
            return real.verify(stored, given)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(password_hashing, "HASHER", Counting())
    for email, password in ((EMAIL, "wrong " + PASSWORD), ("nobody@example.com", PASSWORD)):
        with pytest.raises(NotAuthenticated):
            attempt(work, clock, email, password, address=email)
    work.records.person_by_email(EMAIL).disabled_at = NOW
    with pytest.raises(NotAuthenticated):
        attempt(work, clock, address="disabled")
    assert len(checked) == 3 and checked[0] == checked[1] == checked[2]


def test_each_session_ended_is_published_for_the_other_services(work, clock):
    one, two, three = attempt(work, clock), attempt(work, clock), attempt(work, clock)
    actor = sessions.actor_for_access_token(work, one.access_token, clock=clock)
    work.published.clear()
    assert sessions.end_sessions(work, actor, keep=one.session.id, clock=clock) == 2
    ended = {
        data["session_id"]: (event_type, subject) for event_type, subject, data in work.published
    }
    assert ended == {s.session.id: (events.SESSION_ENDED, actor.person_id) for s in (two, three)}
    for event_type, _, data in work.published:
        schema_for(event_type).load(data)
