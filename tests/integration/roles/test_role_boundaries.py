"""Every role boundary of every endpoint of the four services (issue 15): for each endpoint in
the app's url_map and each role, a credential of an organisation of the right kind carrying
exactly that role; the allowed roles are not refused, every other role gets 403 (404 where the
row is `hidden`), and a refusal changes no row of the service's tables or its outbox. The
platform's own key and a key created without scopes (its organisation's owner) pass too."""

from __future__ import annotations

import re

import pytest

from shared.db.schema import new_id
from shared.roles import ORGANISATION_ROLES, PLATFORM_ROLES
from tests.integration.roles.boundaries import BOUNDARIES, PERSONAL, PUBLIC

NOT_ENDPOINTS = re.compile(r"^(static|old-paths\.|old_path\.)")  # redirects to /v1, files
BODY_METHODS = {"POST", "PUT", "PATCH"}

# Bodies that would succeed for an allowed role: a refusal then proves the check comes first.
# Other endpoints get {} (an allowed role then meets 422 or 404, never 403).
BODIES = {
    "POST /v1/organisations/<organisation_id>/api-keys": {"name": "upload script"},
    "POST /v1/organisations/<organisation_id>/vendor-name-claims": {"name": "roles.example"},
    "POST /v1/organisations/<organisation_id>/invitations": {
        "email": "li.wei@example.cn",
        "roles": ["viewer"],
    },
    "PUT /v1/preferences/<event_type>": {"email": False, "webhook": True},
}
PATH_VALUES = {"version": "1", "event_type": "ipmarket.license.issued.v1", "number": "1"}


def endpoints(app) -> set[str]:
    """'METHOD /rule' of every route of the app, but for old paths' redirects and static files."""
    return {
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        if not NOT_ENDPOINTS.match(rule.endpoint)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def path_for(rule: str, organisation_id: str, known: dict[str, str]) -> str:
    """The rule with the organisation's id, real ids where the platform made the thing, and
    ids of nothing elsewhere (the role check comes before any lookup)."""

    def value(match: re.Match) -> str:
        name = match.group(1).rpartition(":")[2]
        if name == "organisation_id":
            return organisation_id
        return known.get(name) or PATH_VALUES.get(name) or new_id()

    return re.sub(r"<([^>]+)>", value, rule)


@pytest.mark.parametrize("service", sorted(BOUNDARIES))
def test_allowed_roles_pass_and_every_other_role_is_refused_changing_nothing(
    platform, credential, service
):
    routes = endpoints(platform.apps[service])
    table = BOUNDARIES[service]
    assert sorted(routes - set(table)) == [], "endpoints without a row in boundaries.py"
    assert sorted(set(table) - routes) == [], "rows of boundaries.py without an endpoint"
    client = platform.client(service)
    held: dict[tuple[str, str], dict] = {}  # (kind, role) → headers: one credential each
    wrong: list[str] = []
    checked = 0
    for endpoint, boundary in sorted(BOUNDARIES[service].items()):
        if boundary is PUBLIC or boundary is PERSONAL:
            continue
        method, rule = endpoint.split(" ", 1)
        organisation = platform.organisation(boundary.kind)
        path = path_for(rule, organisation.id, platform.resources(service))
        body = BODIES.get(endpoint, {}) if method in BODY_METHODS else None
        roles = ORGANISATION_ROLES + (PLATFORM_ROLES if boundary.kind == "admin" else ())
        # The refused first, while the things are as made: an allowed role may change them.
        roles = sorted(roles, key=lambda role: role in boundary.allowed)
        for role in roles:
            if (boundary.kind, role) not in held:
                held[boundary.kind, role] = credential(platform, organisation, role)
            before = platform.row_counts(service)
            response = client.open(
                path, method=method, json=body, headers=held[boundary.kind, role]
            )
            checked += 1
            status = response.status_code
            if role in boundary.allowed:
                if status in (401, 403):
                    wrong.append(f"{endpoint} as {role}: {status}, but the role is allowed")
                continue
            refused = 404 if boundary.hidden else 403
            if status != refused:
                wrong.append(f"{endpoint} as {role}: {status}, not {refused}")
            elif response.mimetype != "application/problem+json":
                wrong.append(f"{endpoint} as {role}: the refusal is not problem+json")
            after = platform.row_counts(service)
            if after != before:
                changed = {t: (before.get(t), n) for t, n in after.items() if before.get(t) != n}
                wrong.append(f"{endpoint} as {role}: refused, yet rows changed {changed}")
    assert checked > 0
    assert wrong == [], "\n".join(wrong)
    the_platforms_key_and_unscoped_keys_pass_every_endpoint(platform, service)


def the_platforms_key_and_unscoped_keys_pass_every_endpoint(platform, service):
    """Keys created without scopes keep today's rights: all their organisation may do."""
    client = platform.client(service)
    platform_key = platform.api_key(platform.organisation("admin"))
    unscoped: dict[str, dict] = {}
    wrong = []
    for endpoint, boundary in sorted(BOUNDARIES[service].items()):
        if boundary is PUBLIC:
            continue
        method, rule = endpoint.split(" ", 1)
        if boundary is PERSONAL:  # a key never acts for a person's own account
            path = re.sub(r"<[^>]+>", "00000000-0000-4000-8000-000000000000", rule)
            status = client.open(path, method=method, json={}, headers=platform_key).status_code
            if status != 403:
                wrong.append(f"{endpoint} with the platform key: {status}, not 403")
            continue
        organisation = platform.organisation(boundary.kind)
        if boundary.kind not in unscoped:
            unscoped[boundary.kind] = platform.api_key(organisation)
        body = BODIES.get(endpoint, {}) if method in BODY_METHODS else None
        for who, headers in (
            ("platform key", platform_key),
            ("unscoped key", unscoped[boundary.kind]),
        ):
            path = path_for(rule, organisation.id, platform.resources(service))
            status = client.open(path, method=method, json=body, headers=headers).status_code
            if status in (401, 403):
                wrong.append(f"{endpoint} with the {who}: {status}")
    assert wrong == [], "\n".join(wrong)
