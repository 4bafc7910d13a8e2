"""Use cases of memberships: a member leaves an organisation or has their roles changed (the
last owner stays), an owner requires a second factor of every member, and a member's state as
events and answers carry it. Each takes a unit of work; the rules are in shared/roles.py."""

from __future__ import annotations

from services.catalog.domain.people import Actor
from services.catalog.people import Clock
from services.catalog.people_models import Membership, Person
from services.catalog.unit_of_work import CatalogWork, catalog_work
from shared import roles
from shared.db.schema import utcnow
from shared.errors import Conflict, Forbidden, NotFound
from shared.events import people as events
from shared.messaging.unit_of_work import UnitOfWork


def remove_member(
    uow: UnitOfWork | CatalogWork,
    actor: Actor,
    organisation_id: str,
    person_id: str,
    clock: Clock = utcnow,
) -> None:
    """The person stops acting for the organisation; the catalog refuses their access token
    for it at once (it reads memberships live), the other services on the event. The last
    owner stays: an organisation without one could not invite anyone again."""
    work = catalog_work(uow)
    if work.records.organisation(organisation_id) is None or not (
        actor.is_member(organisation_id) or actor.may("people.manage")
    ):
        raise NotFound(f"organisation {organisation_id} does not exist")
    if not actor.may("members.remove", organisation_id):
        raise Forbidden("only an owner of the organisation removes members")
    membership = work.records.membership(person_id, organisation_id)
    if membership is None:
        raise NotFound(f"{person_id} is not a member")
    owners = [m for m in work.records.members_of(organisation_id) if roles.OWNER in m.roles]
    if owners == [membership]:
        raise Conflict("the organisation's last owner stays: make another member owner first")
    work.records.delete(membership)
    work.records.flush()
    work.publish(
        events.MEMBER_REMOVED,
        organisation_id,
        {
            "person_id": person_id,
            "organisation_id": organisation_id,
            "removed_at": clock().isoformat(),
        },
    )


def require_second_factor(
    uow: UnitOfWork | CatalogWork, actor: Actor, organisation_id: str, required: bool
):
    """An owner's choice: the organisation's members sign in with a second factor (those
    without one set it up at their next sign-in). Sessions already open stay open."""
    work = catalog_work(uow)
    org = work.records.organisation(organisation_id)
    if org is None or not (actor.is_member(organisation_id) or actor.may("people.manage")):
        raise NotFound(f"organisation {organisation_id} does not exist")
    if not actor.may("organisation.change", organisation_id):
        raise Forbidden("only an owner of the organisation changes what its members need")
    org.requires_second_factor = required
    work.records.flush()
    return org


def change_roles(
    uow: UnitOfWork | CatalogWork,
    actor: Actor,
    organisation_id: str,
    person_id: str,
    new_roles: list[str],
    clock: Clock = utcnow,
) -> tuple[Person, Membership]:
    """The member's roles are now `new_roles`; every service applies them on the event (the
    person's access token carries whatever the membership holds now). The last owner stays."""
    work = catalog_work(uow)
    if work.records.organisation(organisation_id) is None or not (
        actor.is_member(organisation_id) or actor.may("people.manage")
    ):
        raise NotFound(f"organisation {organisation_id} does not exist")
    if not actor.may("members.change_roles", organisation_id):
        raise Forbidden("only an owner of the organisation changes members' roles")
    membership = work.records.membership(person_id, organisation_id)
    if membership is None:
        raise NotFound(f"{person_id} is not a member")
    owners = [m for m in work.records.members_of(organisation_id) if roles.OWNER in m.roles]
    if owners == [membership] and roles.OWNER not in new_roles:
        raise Conflict(
            "the organisation's last owner stays: make another member owner first", field="roles"
        )
    membership.roles = sorted(set(new_roles), key=roles.ORGANISATION_ROLES.index)
    work.records.flush()
    work.publish(
        events.MEMBER_ROLES_CHANGED,
        organisation_id,
        {
            "person_id": person_id,
            "organisation_id": organisation_id,
            "roles": list(membership.roles),
            "changed_at": clock().isoformat(),
        },
    )
    return work.records.person(person_id), membership


def member_state(person: Person, membership: Membership) -> dict:
    return {
        "person_id": person.id,
        "organisation_id": membership.organisation_id,
        "name_en": person.name_en,
        "name_zh": person.name_zh,
        "email": person.email,
        "roles": list(membership.roles),
        "joined_at": membership.created_at.isoformat(),
        "locale": person.locale,
        "timezone": person.timezone,
        "platform_roles": list(person.platform_roles),
    }
