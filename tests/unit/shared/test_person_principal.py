"""The rules that turn a genuine access token and the directory's standing of its person into
the Principal a request acts as (shared/person_principal.py)."""

from __future__ import annotations

import pytest

from shared.access_tokens import ORGANISATION_HEADER, AccessClaims
from shared.errors import DomainError, Forbidden, NotAuthenticated
from shared.people_directory import TokenKeys
from shared.person_principal import Membership, Standing, principal_of

VENDOR, LICENSEE, PLATFORM = "org-vendor", "org-licensee", "org-platform"
CLAIMS = AccessClaims(person_id="p1", session_id="s1", expires_at=0, name="Li Wei")
OPERATOR_CLAIMS = AccessClaims(
    person_id="p2", session_id="s2", expires_at=0, platform_roles=frozenset({"operator"})
)
APPROVER = Membership(frozenset({"approver"}), frozenset({"vendor"}))
BUYER = Membership(frozenset({"buyer", "finance"}), frozenset({"licensee"}))
PLATFORM_ORG = (PLATFORM, frozenset({"admin"}))


def standing(**changes) -> Standing:
    return Standing(**{"memberships": {VENDOR: APPROVER}, "name": "李伟", **changes})


def test_a_member_of_one_organisation_acts_for_it_with_its_current_roles():
    principal = principal_of(CLAIMS, standing(), None)
    assert principal.organisation_id == VENDOR
    assert principal.roles == {"vendor"} and principal.scopes == {"approver"}
    assert (principal.person_id, principal.session_id, principal.key_id) == ("p1", "s1", None)
    assert principal.actor == {
        "kind": "person",
        "id": "p1",
        "name": "李伟",
        "organisation_id": VENDOR,
    }
    assert principal.may("license_requests.decide") and not principal.may("cores.publish")


def test_the_directory_s_name_comes_first_then_the_token_s():
    assert principal_of(CLAIMS, standing(name=None), None).name == "Li Wei"


def test_a_member_of_several_names_one_in_the_header_or_is_asked_to():
    several = standing(memberships={VENDOR: APPROVER, LICENSEE: BUYER})
    principal = principal_of(CLAIMS, several, LICENSEE)
    assert principal.organisation_id == LICENSEE and principal.scopes == {"buyer", "finance"}
    with pytest.raises(DomainError) as raised:
        principal_of(CLAIMS, several, None)
    assert raised.value.status == 400 and raised.value.field == ORGANISATION_HEADER


def test_an_organisation_the_person_is_not_a_member_of_is_forbidden():
    with pytest.raises(Forbidden) as raised:
        principal_of(CLAIMS, standing(), LICENSEE)
    assert raised.value.field == ORGANISATION_HEADER
    with pytest.raises(Forbidden, match="not a member of any"):
        principal_of(CLAIMS, standing(memberships={}), None)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [({"session_ended": True}, "session has ended"), ({"person_disabled": True}, "disabled")],
)
def test_an_ended_session_or_a_disabled_person_is_not_authenticated(changes, reason):
    with pytest.raises(NotAuthenticated, match=reason):
        principal_of(CLAIMS, standing(**changes), VENDOR)


def test_a_person_with_a_platform_role_and_no_membership_acts_for_the_platform():
    alone = standing(memberships={}, platform_organisation=PLATFORM_ORG)
    principal = principal_of(OPERATOR_CLAIMS, alone, None)
    assert principal.organisation_id == PLATFORM and principal.is_admin
    assert principal.scopes == frozenset() and principal.may("organisations.decide")
    assert principal_of(OPERATOR_CLAIMS, alone, PLATFORM).organisation_id == PLATFORM


def test_a_platform_role_opens_the_platform_organisation_only():
    member = standing(platform_organisation=PLATFORM_ORG)
    assert principal_of(OPERATOR_CLAIMS, member, None).organisation_id == VENDOR
    assert principal_of(OPERATOR_CLAIMS, member, PLATFORM).organisation_id == PLATFORM
    with pytest.raises(Forbidden):
        principal_of(OPERATOR_CLAIMS, member, LICENSEE)
    with pytest.raises(Forbidden):  # without a platform role the platform is like any other
        principal_of(CLAIMS, member, PLATFORM)


def test_token_keys_are_read_again_only_for_a_kid_not_held():
    loads = []

    def load():
        loads.append(1)
        return {"k1": "key one"} if len(loads) == 1 else {"k1": "key one", "k2": "key two"}

    keys = TokenKeys(load)
    assert keys.get("k1") == "key one" and keys.get("k1") == "key one"
    assert len(loads) == 1
    assert keys.get("k2") == "key two" and len(loads) == 2
    assert keys.get("k3") is None and len(loads) == 3


def test_the_directory_s_platform_roles_rule_once_it_has_heard_of_a_change():
    demoted = standing(
        memberships={}, platform_organisation=PLATFORM_ORG, platform_roles=frozenset()
    )
    with pytest.raises(Forbidden, match="not a member of any"):
        principal_of(OPERATOR_CLAIMS, demoted, None)
    with pytest.raises(Forbidden):
        principal_of(OPERATOR_CLAIMS, demoted, PLATFORM)
    reviewer = standing(
        memberships={},
        platform_organisation=PLATFORM_ORG,
        platform_roles=frozenset({"export_reviewer"}),
    )
    principal = principal_of(OPERATOR_CLAIMS, reviewer, None)
    assert principal.platform_roles == {"export_reviewer"} and principal.may("export.review")
    assert not principal.may("organisations.decide")
    # A member demoted keeps their membership but no platform role.
    member = standing(platform_organisation=PLATFORM_ORG, platform_roles=frozenset())
    assert principal_of(OPERATOR_CLAIMS, member, None).platform_roles == frozenset()


def test_without_a_change_heard_of_the_token_s_platform_roles_hold():
    unheard = standing(memberships={}, platform_organisation=PLATFORM_ORG, platform_roles=None)
    assert principal_of(OPERATOR_CLAIMS, unheard, None).platform_roles == {"operator"}
