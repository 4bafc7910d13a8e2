"""Joining: applications, the operator's decision, invitations and accepting them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.catalog import invitations, memberships, organisation_applications, people
from services.catalog.domain.people import Actor
from services.catalog.models import Organisation
from services.catalog.password_hashing import password_matches
from services.catalog.people_models import Person
from shared.errors import Conflict, Forbidden, Invalid, NotFound
from shared.events import catalog as events
from shared.events import people as people_events
from shared.events.registry import schema_for
from tests.unit.services.catalog.fakes import NOW, FakeWork, clock
from tests.unit.services.catalog.people_fakes import InMemoryPeopleRecords

OPERATOR = Actor(platform_roles=frozenset({"operator"}), person_id="operator-1")
PASSWORD = "plum kettle orbit 47"


@pytest.fixture
def work() -> FakeWork:
    return FakeWork(InMemoryPeopleRecords())


def application(work, **changes):
    fields = dict(
        legal_name_en="Shanghai Xinyuan Microelectronics",
        country="cn",
        registration_number=" 91310000MA1FL0001X ",
        roles=["vendor"],
        contact_name="Li Wei",
        contact_email="Li.Wei@xinyuan-micro.cn",
        legal_name_zh="上海芯元微电子有限公司",
        timezone="Asia/Shanghai",
        locale="zh-Hans",
    )
    return organisation_applications.apply(work, **(fields | changes))


def approved(work):
    """An approved organisation, its owner's invitation token; events cleared."""
    submitted = application(work)
    decided, token = organisation_applications.decide_application(
        work, OPERATOR, submitted.id, "approved", clock=clock
    )
    work.published.clear()
    return work.records.organisation(decided.organisation_id), token


def test_an_application_is_pending_and_the_operators_are_told(work):
    submitted = application(work)
    assert (submitted.status, submitted.country, submitted.registration_number) == (
        "pending",
        "CN",
        "91310000MA1FL0001X",
    )
    ((event_type, subject, data),) = work.published
    assert (event_type, subject) == (people_events.ORGANISATION_APPLIED, submitted.id)
    schema_for(event_type).load(data)  # the registered contract holds


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"roles": ["admin"]}, "roles"),
        ({"roles": []}, "roles"),
        ({"contact_email": "li.wei"}, "contact_email"),
        ({"registration_number": " "}, "registration_number"),
        ({"country": "XX"}, None),
        ({"timezone": "Mars/Olympus"}, "timezone"),
    ],
)
def test_a_bad_application_is_refused_and_nothing_is_recorded(work, changes, field):
    with pytest.raises(Invalid) as raised:
        application(work, **changes)
    assert field is None or raised.value.field == field
    assert work.records.rows == [] and work.published == []


def test_approving_registers_the_organisation_and_invites_its_contact_as_owner(work):
    submitted = application(work)
    work.published.clear()
    decided, token = organisation_applications.decide_application(
        work, OPERATOR, submitted.id, "approved", clock=clock
    )
    assert (decided.status, decided.decided_at, decided.decided_by) == (
        "approved",
        NOW,
        "operator-1",
    )
    assert work.event_types == [
        events.ORGANISATION_REGISTERED,
        people_events.MEMBER_INVITED,
        people_events.ORGANISATION_APPLICATION_APPROVED,
    ]
    org = work.records.organisation(decided.organisation_id)
    assert (org.legal_name_zh, org.timezone, org.roles) == (
        "上海芯元微电子有限公司",
        "Asia/Shanghai",
        ["vendor"],
    )
    invited = work.published[1][2]
    assert (invited["email"], invited["roles"], invited["link_token"], invited["locale"]) == (
        "Li.Wei@xinyuan-micro.cn",
        ["owner"],
        token,
        "zh-Hans",
    )
    for event_type, _, data in work.published:
        schema_for(event_type).load(data)


def test_declining_tells_why_and_registers_nothing(work):
    submitted = application(work)
    decided, token = organisation_applications.decide_application(
        work, OPERATOR, submitted.id, "declined", "registration number not found", clock=clock
    )
    assert token is None and decided.reason == "registration number not found"
    assert work.event_types[-1] == people_events.ORGANISATION_APPLICATION_DECLINED
    assert not work.records._of(Organisation)


def test_only_an_operator_decides_and_only_once(work):
    submitted = application(work)
    owner = Actor(memberships={"org": frozenset({"owner"})}, person_id="p")
    with pytest.raises(Forbidden):
        organisation_applications.decide_application(work, owner, submitted.id, "approved")
    organisation_applications.decide_application(work, OPERATOR, submitted.id, "declined")
    with pytest.raises(Conflict):
        organisation_applications.decide_application(work, OPERATOR, submitted.id, "approved")
    with pytest.raises(NotFound):
        organisation_applications.decide_application(
            work, OPERATOR, "no-such-application", "approved"
        )


def test_the_invited_owner_sets_a_password_and_the_link_works_once(work):
    org, token = approved(work)
    person, membership = invitations.accept_invitation(
        work, token, name_en="Li Wei", name_zh="李伟", password=PASSWORD, clock=clock
    )
    assert (person.email_key, person.name_zh, person.email_verified_at) == (
        "li.wei@xinyuan-micro.cn",
        "李伟",
        NOW,
    )
    assert password_matches(person.password_hash, PASSWORD)
    assert (membership.organisation_id, membership.roles) == (org.id, ["owner"])
    ((event_type, subject, data),) = work.published
    assert (event_type, subject, data["roles"]) == (people_events.MEMBER_JOINED, org.id, ["owner"])
    schema_for(event_type).load(data)
    with pytest.raises(Conflict, match="accepted already"):
        invitations.accept_invitation(work, token, name_en="Li Wei", password=PASSWORD, clock=clock)


def test_an_expired_or_forged_link_is_refused(work):
    _, token = approved(work)
    with pytest.raises(Invalid, match="expired"):
        invitations.accept_invitation(
            work, token, name_en="Li Wei", password=PASSWORD, clock=lambda: NOW + timedelta(days=7)
        )
    with pytest.raises(Invalid, match="not a link"):
        invitations.accept_invitation(
            work,
            token[:-1] + ("A" if token[-1] != "A" else "B"),
            name_en="Li Wei",
            password=PASSWORD,
            clock=clock,
        )
    assert not work.records._of(Person) and work.published == []


def test_a_weak_password_is_refused_and_the_link_still_works(work):
    _, token = approved(work)
    with pytest.raises(Invalid) as raised:
        invitations.accept_invitation(
            work, token, name_en="Li Wei", password="passwordpassword", clock=clock
        )
    assert raised.value.field == "password" and not work.records._of(Person)
    invitations.accept_invitation(work, token, name_en="Li Wei", password=PASSWORD, clock=clock)


def owner_of(work, org, token) -> Actor:
    person, _ = invitations.accept_invitation(
        work, token, name_en="Li Wei", password=PASSWORD, clock=clock
    )
    work.published.clear()
    return Actor(memberships={org.id: frozenset({"owner"})}, person_id=person.id)


def test_an_owner_invites_an_approver_who_joins(work):
    org, token = approved(work)
    owner = owner_of(work, org, token)
    invitation, link = invitations.invite_member(
        work, owner, org.id, "zhang.min@xinyuan-micro.cn", ["approver", "approver"], clock=clock
    )
    assert (invitation.roles, invitation.invited_by, invitation.expires_at) == (
        ["approver"],
        owner.person_id,
        NOW + timedelta(days=7),
    )
    person, membership = invitations.accept_invitation(
        work, link, name_en="Zhang Min", password="river lantern 1988 mango", clock=clock
    )
    assert membership.roles == ["approver"] and person.id != owner.person_id


def test_a_member_is_not_invited_again_whatever_the_address_s_case(work):
    org, token = approved(work)
    owner = owner_of(work, org, token)
    _, link = invitations.invite_member(work, OPERATOR, org.id, "someone@elsewhere.hk", ["viewer"])
    invitations.accept_invitation(work, link, name_en="Someone", password=PASSWORD)
    with pytest.raises(Conflict, match="member already"):
        invitations.invite_member(work, owner, org.id, "SOMEONE@elsewhere.hk", ["buyer"])


@pytest.mark.parametrize("member_roles", [["publisher"], ["approver", "viewer"]])
def test_only_an_owner_invites(work, member_roles):
    org, _ = approved(work)
    member = Actor(memberships={org.id: frozenset(member_roles)}, person_id="p")
    with pytest.raises(Forbidden):
        invitations.invite_member(work, member, org.id, "x@example.com", ["viewer"])
    stranger = Actor(memberships={"elsewhere": frozenset({"owner"})}, person_id="q")
    with pytest.raises(NotFound):  # existence does not leak
        invitations.invite_member(work, stranger, org.id, "x@example.com", ["viewer"])
    assert work.published == []


@pytest.mark.parametrize(
    ("member_roles", "field"), [(["operator"], "roles"), ([], "roles"), (["wizard"], "roles")]
)
def test_an_invitation_names_organisation_roles(work, member_roles, field):
    org, _ = approved(work)
    with pytest.raises(Invalid) as raised:
        invitations.invite_member(work, OPERATOR, org.id, "x@example.com", member_roles)
    assert raised.value.field == field


def test_the_first_operator_is_created_with_a_checked_password(work):
    with pytest.raises(Invalid):
        people.create_operator(work, "ops@vip.hk", "Chan Tai Man", "123456789012345")
    person = people.create_operator(work, "ops@vip.hk", "Chan Tai Man", PASSWORD, clock=clock)
    assert person.platform_roles == ["operator"]
    with pytest.raises(Conflict):
        people.create_operator(work, "OPS@vip.hk", "Chan Tai Man", PASSWORD)


def test_an_owner_removes_a_member_but_not_the_last_owner(work):
    org, token = approved(work)
    owner = owner_of(work, org, token)
    _, link = invitations.invite_member(
        work, owner, org.id, "zhang.min@xinyuan-micro.cn", ["approver"]
    )
    approver, _ = invitations.accept_invitation(work, link, name_en="Zhang Min", password=PASSWORD)
    work.published.clear()
    as_approver = Actor(memberships={org.id: frozenset({"approver"})}, person_id=approver.id)
    with pytest.raises(Forbidden):
        memberships.remove_member(work, as_approver, org.id, owner.person_id)
    with pytest.raises(Conflict, match="last owner"):
        memberships.remove_member(work, owner, org.id, owner.person_id)
    memberships.remove_member(work, owner, org.id, approver.id, clock=clock)
    assert work.records.membership(approver.id, org.id) is None
    ((event_type, subject, data),) = work.published
    assert (event_type, subject, data["person_id"]) == (
        people_events.MEMBER_REMOVED,
        org.id,
        approver.id,
    )
    schema_for(event_type).load(data)
    with pytest.raises(NotFound):
        memberships.remove_member(work, owner, org.id, approver.id)


def test_an_owner_changes_a_member_s_roles_and_the_change_is_published(work):
    org, token = approved(work)
    owner = owner_of(work, org, token)
    _, link = invitations.invite_member(
        work, owner, org.id, "zhang.min@xinyuan-micro.cn", ["approver"]
    )
    approver, _ = invitations.accept_invitation(work, link, name_en="Zhang Min", password=PASSWORD)
    work.published.clear()
    as_approver = Actor(memberships={org.id: frozenset({"approver"})}, person_id=approver.id)
    with pytest.raises(Forbidden):
        memberships.change_roles(work, as_approver, org.id, approver.id, ["owner"])
    with pytest.raises(Conflict, match="last owner"):
        memberships.change_roles(work, owner, org.id, owner.person_id, ["viewer"])
    _, membership = memberships.change_roles(
        work, owner, org.id, approver.id, ["viewer", "approver", "viewer"], clock=clock
    )
    assert membership.roles == ["approver", "viewer"]
    ((event_type, subject, data),) = work.published
    assert (event_type, subject) == (people_events.MEMBER_ROLES_CHANGED, org.id)
    assert (data["person_id"], data["roles"]) == (approver.id, ["approver", "viewer"])
    schema_for(event_type).load(data)
    with pytest.raises(NotFound):
        memberships.change_roles(work, owner, org.id, "not-a-member", ["viewer"])


def test_a_new_operator_s_platform_roles_are_published(work):
    person = people.create_operator(work, "ops@vip.hk", "Chan Tai Man", PASSWORD, clock=clock)
    ((event_type, subject, data),) = work.published
    assert (event_type, subject) == (people_events.PLATFORM_ROLES_CHANGED, person.id)
    assert (data["email"], data["platform_roles"]) == ("ops@vip.hk", ["operator"])
    schema_for(event_type).load(data)


def test_platform_roles_are_granted_and_taken_but_the_last_operator_stays(work):
    from services.catalog import people_admin

    first = people.create_operator(work, "ops@vip.hk", "Chan Tai Man", PASSWORD)
    second = people.create_operator(work, "rev@vip.hk", "Rita View", PASSWORD)
    second.locale, second.timezone = "zh-Hant", "Asia/Hong_Kong"
    work.published.clear()
    person, before = people_admin.set_platform_roles(
        work, "REV@vip.hk", ["export_reviewer", "operator", "export_reviewer"], clock=clock
    )
    assert before == ["operator"] and person.platform_roles == ["operator", "export_reviewer"]
    people_admin.set_platform_roles(work, "ops@vip.hk", [], clock=clock)
    assert first.platform_roles == []
    with pytest.raises(Conflict, match="last operator"):
        people_admin.set_platform_roles(work, "rev@vip.hk", ["export_reviewer"])
    with pytest.raises(Invalid, match="superuser"):
        people_admin.set_platform_roles(work, "rev@vip.hk", ["superuser"])
    with pytest.raises(NotFound):
        people_admin.set_platform_roles(work, "nobody@vip.hk", [])
    granted, taken = work.published
    assert granted[0] == taken[0] == people_events.PLATFORM_ROLES_CHANGED
    assert (granted[2]["locale"], granted[2]["timezone"]) == ("zh-Hant", "Asia/Hong_Kong")
    assert (granted[2]["platform_roles"], taken[2]["platform_roles"]) == (
        ["operator", "export_reviewer"],
        [],
    )
    for _, _, data in work.published:
        schema_for(people_events.PLATFORM_ROLES_CHANGED).load(data)


def test_member_joined_carries_the_person_s_own_settings_and_platform_roles(work):
    person = people.create_operator(work, "ops@vip.hk", "Chan Tai Man", PASSWORD)
    person.locale, person.timezone = "zh-Hans", "Asia/Shanghai"
    org = Organisation(id="org-1", legal_name_en="VIP", roles=["admin"])
    from services.catalog.people_models import Membership

    data = memberships.member_state(
        person,
        Membership(person_id=person.id, organisation_id=org.id, roles=["owner"], created_at=NOW),
    )
    assert (data["locale"], data["timezone"], data["platform_roles"]) == (
        "zh-Hans",
        "Asia/Shanghai",
        ["operator"],
    )
    schema_for(people_events.MEMBER_JOINED).load(data)


def test_an_owner_withdraws_an_invitation_and_its_link_then_refuses(work):
    org, token = approved(work)
    owner = owner_of(work, org, token)
    invitation, link = invitations.invite_member(
        work, owner, org.id, "zhang.min@xinyuan-micro.cn", ["approver"], clock=clock
    )
    member = Actor(memberships={org.id: frozenset({"publisher"})}, person_id="p")
    with pytest.raises(Forbidden):
        invitations.withdraw_invitation(work, member, org.id, invitation.id, clock=clock)
    with pytest.raises(NotFound):
        invitations.withdraw_invitation(work, owner, org.id, "no-such-invitation", clock=clock)
    invitations.withdraw_invitation(work, owner, org.id, invitation.id, clock=clock)
    invitations.withdraw_invitation(work, owner, org.id, invitation.id)  # again: no change
    assert invitation.withdrawn_at == NOW
    with pytest.raises(Conflict, match="withdrawn"):
        invitations.accept_invitation(
            work, link, name_en="Zhang Min", password=PASSWORD, clock=clock
        )


def test_an_accepted_invitation_is_not_withdrawn(work):
    org, token = approved(work)
    owner = owner_of(work, org, token)
    invitation, link = invitations.invite_member(
        work, owner, org.id, "zhang.min@xinyuan-micro.cn", ["approver"], clock=clock
    )
    invitations.accept_invitation(work, link, name_en="Zhang Min", password=PASSWORD, clock=clock)
    with pytest.raises(Conflict, match="remove the member"):
        invitations.withdraw_invitation(work, owner, org.id, invitation.id, clock=clock)
    assert invitation.withdrawn_at is None
