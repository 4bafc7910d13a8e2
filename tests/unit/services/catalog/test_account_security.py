"""Keeping an account safe, on records in memory: password reset by e-mail (password_reset.py),
sign-ins from a new device (known_devices.py), an organisation that requires a second factor
(memberships.require_second_factor)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.catalog import (
    invitations,
    memberships,
    organisation_applications,
    password_reset,
    sign_in,
)
from services.catalog.domain.people import Actor
from shared.errors import Forbidden, Invalid, NotAuthenticated
from shared.events import people as events
from shared.events.registry import schema_for
from tests.unit.services.catalog.fakes import NOW, FakeWork
from tests.unit.services.catalog.people_fakes import InMemoryPeopleRecords

PASSWORD = "plum kettle orbit 47"
NEW_PASSWORD = "lantern quiet harbour 93"
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
    return joined(clock)


def joined(clock) -> FakeWork:
    """Xinyuan, approved, and its owner Li Wei (locale zh-Hans, Asia/Shanghai), joined."""
    work = FakeWork(InMemoryPeopleRecords())
    submitted = organisation_applications.apply(
        work,
        legal_name_en="Xinyuan",
        country="CN",
        registration_number="91310000",
        roles=["vendor"],
        contact_name="Li Wei",
        contact_email=EMAIL,
        locale="zh-Hans",
        timezone="Asia/Shanghai",
    )
    _, token = organisation_applications.decide_application(
        work, OPERATOR, submitted.id, "approved", clock=clock
    )
    invitations.accept_invitation(work, token, name_en="Li Wei", password=PASSWORD, clock=clock)
    work.published.clear()
    return work


def attempt(work, clock, password=PASSWORD, device_id=None):
    return sign_in.sign_in(
        work, EMAIL, password, client_address="203.0.113.7", device_id=device_id, clock=clock
    )


def published(work, event_type) -> list[dict]:
    found = [data for kind, _, data in work.published if kind == event_type]
    for data in found:
        schema_for(event_type).load(data)  # every one keeps the contract
    return found


# --- password reset ---------------------------------------------------------------------------


def reset_link(work, clock) -> str:
    password_reset.request_password_reset(work, EMAIL.upper(), clock=clock)
    (requested,) = published(work, events.PASSWORD_RESET_REQUESTED)
    assert (requested["email"], requested["locale"], requested["timezone"]) == (
        EMAIL,
        "zh-Hans",
        "Asia/Shanghai",
    )
    return requested["link_token"]


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(work, clock):
    first, second = attempt(work, clock), attempt(work, clock)
    token = reset_link(work, clock)
    work.published.clear()
    password_reset.reset_password(work, token, NEW_PASSWORD, clock=clock)
    ended = published(work, events.SESSION_ENDED)
    assert {e["session_id"] for e in ended} == {first.session.id, second.session.id}
    assert first.session.ended_at == second.session.ended_at == NOW
    with pytest.raises(NotAuthenticated):
        attempt(work, clock)
    assert attempt(work, clock, NEW_PASSWORD).access_token
    with pytest.raises(Invalid) as used:  # the link works once
        password_reset.reset_password(work, token, "another fine passphrase 5", clock=clock)
    assert used.value.field == "token"


def test_an_unknown_or_disabled_address_gets_no_link_and_the_same_answer(work, clock):
    assert password_reset.request_password_reset(work, "nobody@example.com", clock=clock) is None
    work.records.person_by_email(EMAIL).disabled_at = NOW
    assert password_reset.request_password_reset(work, EMAIL, clock=clock) is None
    assert work.published == []


def test_a_reset_link_expires_and_a_weak_password_changes_nothing(work, clock):
    token = reset_link(work, clock)
    person = work.records.person_by_email(EMAIL)
    before = person.password_hash
    with pytest.raises(Invalid) as weak:
        password_reset.reset_password(work, token, "password", clock=clock)
    assert weak.value.field == "password" and person.password_hash == before
    clock.now += password_reset.LINK_LIFETIME
    with pytest.raises(Invalid) as expired:
        password_reset.reset_password(work, token, NEW_PASSWORD, clock=clock)
    assert expired.value.field == "token" and "expired" in expired.value.detail
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(Invalid):
        password_reset.reset_password(work, forged, NEW_PASSWORD, clock=clock)


def test_a_newer_link_replaces_nothing_but_a_used_one_voids_the_others(work, clock):
    older = reset_link(work, clock)
    work.published.clear()
    newer = reset_link(work, clock)
    password_reset.reset_password(work, newer, NEW_PASSWORD, clock=clock)
    with pytest.raises(Invalid):
        password_reset.reset_password(work, older, PASSWORD + " again", clock=clock)


def test_a_reset_forgets_the_accounts_failed_sign_ins(work, clock):
    for _ in range(6):
        with pytest.raises(NotAuthenticated):
            attempt(work, clock, "wrong " + PASSWORD)
    with pytest.raises(sign_in.Throttled):
        attempt(work, clock)
    password_reset.reset_password(work, reset_link(work, clock), NEW_PASSWORD, clock=clock)
    assert attempt(work, clock, NEW_PASSWORD).access_token


# --- new devices ------------------------------------------------------------------------------


def test_a_sign_in_from_a_device_not_seen_before_is_news(work, clock):
    first = attempt(work, clock)  # the first device ever: the person has just joined
    assert published(work, events.SIGNED_IN_FROM_NEW_DEVICE) == []
    again = attempt(work, clock, device_id=first.device_id)
    assert again.device_id == first.device_id
    assert published(work, events.SIGNED_IN_FROM_NEW_DEVICE) == []
    clock.now += timedelta(minutes=1)
    for unknown in (None, "made-up-or-someone-elses-device"):
        other = attempt(work, clock, device_id=unknown)
        assert other.device_id not in (None, first.device_id, unknown)
    news = published(work, events.SIGNED_IN_FROM_NEW_DEVICE)
    assert len(news) == 2
    assert news[-1]["session_id"] == other.session.id
    assert (news[-1]["locale"], news[-1]["client_address"]) == ("zh-Hans", "203.0.113.7")


# --- an organisation's requirement ------------------------------------------------------------


def test_an_owner_requires_a_second_factor_of_every_member(work, clock):
    person = work.records.person_by_email(EMAIL)
    (membership,) = work.records.memberships_of(person.id)
    org_id = membership.organisation_id
    assert attempt(work, clock).access_token  # no second factor needed yet
    owner = Actor(memberships={org_id: frozenset({"owner"})}, person_id=person.id)
    approver = Actor(memberships={org_id: frozenset({"approver"})}, person_id="someone")
    with pytest.raises(Forbidden):
        memberships.require_second_factor(work, approver, org_id, True)
    assert not work.records.organisation(org_id).requires_second_factor
    memberships.require_second_factor(work, owner, org_id, True)
    pending = attempt(work, clock)
    assert isinstance(pending, sign_in.SecondFactorNeeded) and pending.setup
    memberships.require_second_factor(work, owner, org_id, False)
    assert attempt(work, clock).access_token
