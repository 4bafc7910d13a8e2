"""Who is asking: the bearer credential of a request — an organisation's API key, looked up in
the service's directory (shared.directory), or a person's access token (shared/access_tokens.py,
acting for the organisation named by the Ipmarket-Organisation header or their only one) —
and the view decorator that asks for a role."""

from __future__ import annotations

from functools import wraps

from flask import g, request

from shared import roles as role_table
from shared.access_tokens import ORGANISATION_HEADER, looks_like_access_token
from shared.directory import KEY_PREFIX, Principal, hash_api_key
from shared.errors import Forbidden, NotAuthenticated
from shared.http.api_docs import secured
from shared.http.context import service_context


def authenticate() -> None:
    g.principal = None
    header = request.headers.get("Authorization")
    if header is None:
        return
    scheme, _, credential = header.partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        raise NotAuthenticated("Authorization must be 'Bearer <API key or access token>'")
    if not credential.startswith(KEY_PREFIX) and looks_like_access_token(credential):
        organisation_id = request.headers.get(ORGANISATION_HEADER, "").strip() or None
        g.principal = service_context().person_principal(credential, organisation_id)
        return
    principal = service_context().principal(hash_api_key(credential))
    if principal is None:
        raise NotAuthenticated("unknown or revoked API key")
    g.principal = principal


def current_principal() -> Principal:
    if g.get("principal") is None:
        raise NotAuthenticated(
            "this endpoint needs 'Authorization: Bearer <API key or access token>'"
        )
    return g.principal


def requires(*roles: str, action: str | None = None, people_only: bool = False):
    """View decorator: an authenticated principal of an organisation that is one of `roles`
    (vendor, licensee; admins always pass) and, with `action`, whose member roles or key scopes
    may take it (shared/roles.ACTIONS); with `people_only`, a person signed in (never an API key:
    a person's own account)."""
    if action is not None and not role_table.roles_allowed(action):
        raise ValueError(f"{action!r} is not an action of shared/roles.ACTIONS")

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            principal = current_principal()
            if people_only and principal.person_id is None:
                raise Forbidden("this is a person's own account: sign in as one, not with a key")
            if roles and not principal.is_admin and not principal.roles & set(roles):
                raise Forbidden(f"this needs the role {' or '.join(roles)}")
            if action is not None and not principal.may(action):
                allowed = sorted(role_table.roles_allowed(action))
                raise Forbidden(f"{action} needs one of the roles {', '.join(allowed)}")
            return view(*args, **kwargs)

        return secured(wrapper, roles, may_forbid=action is not None)

    return decorate
