"""/v1/people: the operator's view of people — everyone a page at a time, one person with their
memberships, their platform roles changed. For the platform's operators (who always sign in
with a second factor) and, like every operator endpoint, the platform's own keys; any other
person or key is refused (403)."""

from __future__ import annotations

from marshmallow import RAISE

from services.catalog import people, people_directory
from services.catalog.api.common import event_actor, page, page_request
from services.catalog.schemas import page_schema
from services.catalog.schemas.people_directory import (
    PeopleListArgsSchema,
    PersonSchema,
    PlatformRolesSchema,
)
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import current_principal, requires
from shared.http.context import service_context

blp = Blueprint(
    "people_directory",
    __name__,
    url_prefix="/v1/people",
    description="The platform's people, for its operators.",
)


@blp.get("")
@requires(action="people.manage")
@blp.arguments(PeopleListArgsSchema(), location="query", unknown=RAISE)
@blp.response(200, page_schema(PersonSchema))
@problems(401, 403)
def list_people(args):
    """Everyone, oldest first, a page at a time; `email` finds addresses containing it,
    `platform_role` those holding it (platform operators only)."""
    with service_context().session_factory() as session:
        return page(
            *people_directory.list_people(
                session, page_request(args), args.get("email"), args.get("platform_role")
            )
        )


@blp.get("/<id:person_id>")
@requires(action="people.manage")
@blp.response(200, PersonSchema)
@problems(401, 403, 404)
def read_person(person_id):
    """A person with their memberships and platform roles (platform operators only)."""
    with service_context().session_factory() as session:
        return people_directory.get_person(session, person_id)


@blp.put("/<id:person_id>/platform-roles")
@requires(action="people.manage")
@blp.arguments(PlatformRolesSchema)
@blp.response(200, PersonSchema)
@problems(401, 403, 404, 409, 422)
def set_platform_roles(body, person_id):
    """Set all the person's platform roles (operator, export_reviewer): every service acts on
    them within seconds (PLATFORM_ROLES_CHANGED). The platform's last operator stays one
    (409). Platform operators only."""
    actor = people.actor_for_key(current_principal())
    with service_context().unit_of_work(event_actor("people.set_platform_roles")) as uow:
        person = people_directory.set_platform_roles(uow, actor, person_id, body["roles"])
        changed = people_directory.get_person(uow.session, person.id)
        uow.commit()
        return changed
