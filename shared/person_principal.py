"""Who a person's access token acts as: the rules that turn a genuine token
(shared/access_tokens.py) and what the directory knows now of its person into the request's
Principal. Pure: the standing comes from the people directory (shared/people_directory.py) or,
on the catalog, from its own tables.

A token is accepted when its signature verifies with an announced key, it has not expired
(shared/access_tokens.LEEWAY allowed for clocks apart), its session has not ended and its
person is not disabled. The roles it carries are the membership's roles as the directory holds
them NOW, not those in the token, so that a change of roles or a removal holds within seconds,
not at expiry; so are its platform roles, once the directory has heard of a change of them
(until then, the token's).

Which organisation the request acts for:
1. The header `Ipmarket-Organisation: <id>` names it: the person must be a member of it, or
   have a platform role and name the platform's own organisation (then their member roles are
   those of a membership of it, if any, else none: the platform roles carry them).
2. Without the header: the person's only membership; with no membership, a person with a
   platform role acts for the platform's own organisation; a member of several organisations
   must name one (400, naming the header).
Anything else is refused: 401 when the token itself is not good (unknown key, bad signature,
expired, session ended, person disabled), 403 when the person is not (or no longer) a member
of the organisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.access_tokens import ORGANISATION_HEADER, AccessClaims
from shared.directory import Principal
from shared.errors import DomainError, Forbidden, NotAuthenticated


@dataclass(frozen=True)
class Membership:
    """A person's membership as the directory holds it now."""

    roles: frozenset[str]
    organisation_kinds: frozenset[str]  # vendor, licensee; admin for the platform's own


@dataclass(frozen=True)
class Standing:
    """What the directory knows now of a person and one of their sessions."""

    session_ended: bool = False
    person_disabled: bool = False
    memberships: dict[str, Membership] = field(default_factory=dict)
    name: str | None = None  # as the directory knows it (name_zh, else name_en)
    # the platform's own organisation (id, kinds), if the directory knows it
    platform_organisation: tuple[str, frozenset[str]] | None = None
    # the person's platform roles now (None: the directory has heard of no change: the token's)
    platform_roles: frozenset[str] | None = None


def principal_of(
    claims: AccessClaims, standing: Standing, organisation_id: str | None
) -> Principal:
    """The Principal of a genuine token's request for `organisation_id` (the header's value,
    or None), by the rules of this module's docstring."""
    if standing.session_ended:
        raise NotAuthenticated("the session has ended: sign in again")
    if standing.person_disabled:
        raise NotAuthenticated("this person's account is disabled")
    platform = standing.platform_organisation
    platform_roles = (
        claims.platform_roles if standing.platform_roles is None else standing.platform_roles
    )
    if organisation_id is None:
        if len(standing.memberships) == 1:
            organisation_id = next(iter(standing.memberships))
        elif len(standing.memberships) > 1:
            raise DomainError(
                f"you are a member of several organisations: name one in {ORGANISATION_HEADER}",
                field=ORGANISATION_HEADER,
            )
        elif platform_roles and platform is not None:
            organisation_id = platform[0]
        else:
            raise Forbidden("you are not a member of any organisation")
    membership = standing.memberships.get(organisation_id)
    if membership is None:
        if not (platform_roles and platform is not None and platform[0] == organisation_id):
            raise Forbidden(
                f"you are not a member of organisation {organisation_id}",
                field=ORGANISATION_HEADER,
            )
        membership = Membership(roles=frozenset(), organisation_kinds=platform[1])
    return Principal(
        organisation_id=organisation_id,
        roles=membership.organisation_kinds,
        scopes=membership.roles,
        platform_roles=platform_roles,
        person_id=claims.person_id,
        session_id=claims.session_id,
        name=standing.name or claims.name,
    )
