"""/v1/organisations/<id>/api-keys: the keys an organisation calls every service with."""

from __future__ import annotations

from marshmallow import RAISE

from services.catalog import organisations
from services.catalog.api.common import page, page_request
from services.catalog.schemas import (
    ApiKeyCreateSchema,
    ApiKeySchema,
    ListArgsSchema,
    NewApiKeySchema,
    page_schema,
)
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import current_principal, requires
from shared.http.context import service_context

blp = Blueprint(
    "api-keys", __name__, url_prefix="/v1/organisations", description="An organisation's API keys."
)


@blp.post("/<organisation_id>/api-keys")
@requires(action="api_keys.manage")
@blp.arguments(ApiKeyCreateSchema)
@blp.response(201, NewApiKeySchema)
@problems(404)
def create_api_key(body, organisation_id):
    """A new API key acting with `scopes` (default ["owner"]: all the organisation may do); the
    key is in this response only and is never shown again."""
    principal = current_principal()
    with service_context().unit_of_work(current_principal().actor) as uow:
        organisations.get_organisation(uow.session, principal, organisation_id)
        api_key, key = organisations.create_api_key(
            uow, organisation_id, body["name"], body["scopes"]
        )
        uow.commit()
    shown = {name: getattr(api_key, name) for name in ApiKeySchema().fields}
    return {**shown, "api_key": key}


@blp.get("/<organisation_id>/api-keys")
@requires(action="api_keys.read")
@blp.arguments(ListArgsSchema(), location="query", unknown=RAISE)
@blp.response(200, page_schema(ApiKeySchema))
@problems(404)
def list_api_keys(args, organisation_id):
    """The organisation's keys, oldest first: name, created, last used, revoked (never the
    key)."""
    with service_context().session_factory() as session:
        return page(
            *organisations.list_api_keys(
                session, current_principal(), organisation_id, page_request(args)
            )
        )


@blp.delete("/<organisation_id>/api-keys/<key_id>")
@requires(action="api_keys.manage")
@blp.response(200, ApiKeySchema)
@problems(404)
def revoke_api_key(organisation_id, key_id):
    """Revoke a key: it stops working on every service within seconds."""
    principal = current_principal()
    with service_context().unit_of_work(current_principal().actor) as uow:
        organisations.get_organisation(uow.session, principal, organisation_id)
        api_key = organisations.revoke_api_key(uow, organisation_id, key_id)
        uow.commit()
    return api_key
