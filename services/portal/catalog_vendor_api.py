"""The catalog's calls of the vendor workspace's cores and of an organisation's team, mixed into
CatalogApi: each acts for the organisation the page is about (Ipmarket-Organisation)."""

from __future__ import annotations

from services.portal.service_api import acting_for


class CatalogCoresApi:
    """Mixed in before ServiceApi, whose `_call` these use."""

    def own_cores(self, token: str, organisation_id: str, status: str | None = None) -> dict:
        params = [("vendor", organisation_id), ("sort", "newest"), ("limit", "100")]
        if status:
            params.append(("status", status))
        return self._call("GET", "/v1/cores", token, acting_for(organisation_id), params=params)

    def own_core(self, token: str, organisation_id: str, core_id: str) -> dict:
        return self._call("GET", f"/v1/cores/{core_id}", token, acting_for(organisation_id))

    def own_versions(self, token: str, organisation_id: str, core_id: str) -> list[dict]:
        path = f"/v1/cores/{core_id}/versions"
        return self._call("GET", path, token, acting_for(organisation_id))["items"]

    def draft_core(self, token: str, organisation_id: str, fields: dict) -> dict:
        return self._call("POST", "/v1/cores", token, acting_for(organisation_id), json=fields)

    def change_core(
        self, token: str, organisation_id: str, core_id: str, version: int, changes: dict
    ) -> dict:
        headers = {**acting_for(organisation_id), "If-Match": f'"{version}"'}
        return self._call("PATCH", f"/v1/cores/{core_id}", token, headers, json=changes)

    def import_core(self, token: str, organisation_id: str, xml: bytes, dry_run: bool) -> dict:
        """An IP-XACT component as a draft; with `dry_run`, what it would be, storing nothing."""
        headers = {**acting_for(organisation_id), "Content-Type": "application/xml"}
        params = {"dry_run": "true"} if dry_run else {}
        return self._call("POST", "/v1/cores/import", token, headers, content=xml, params=params)

    def change_core_status(
        self, token: str, organisation_id: str, core_id: str, transition: str
    ) -> dict:
        """transition: publish, deprecate or withdraw."""
        path = f"/v1/cores/{core_id}/{transition}"
        return self._call("POST", path, token, acting_for(organisation_id))


class CatalogTeamApi:
    """Mixed in before ServiceApi, whose `_call` these use."""

    def members(self, token: str, organisation_id: str, cursor: str | None = None) -> dict:
        params = {"cursor": cursor} if cursor else {}
        path = f"/v1/organisations/{organisation_id}/members"
        return self._call("GET", path, token, acting_for(organisation_id), params=params)

    def open_invitations(self, token: str, organisation_id: str) -> list[dict]:
        path = f"/v1/organisations/{organisation_id}/invitations"
        return self._call("GET", path, token, acting_for(organisation_id))["items"]

    def invite(self, token: str, organisation_id: str, email: str, roles: list[str]) -> dict:
        path = f"/v1/organisations/{organisation_id}/invitations"
        body = {"email": email, "roles": roles}
        return self._call("POST", path, token, acting_for(organisation_id), json=body)

    def withdraw_invitation(self, token: str, organisation_id: str, invitation_id: str) -> dict:
        path = f"/v1/organisations/{organisation_id}/invitations/{invitation_id}"
        return self._call("DELETE", path, token, acting_for(organisation_id))

    def change_roles(
        self, token: str, organisation_id: str, person_id: str, roles: list[str]
    ) -> dict:
        path = f"/v1/organisations/{organisation_id}/members/{person_id}/roles"
        return self._call("PUT", path, token, acting_for(organisation_id), json={"roles": roles})

    def remove_member(self, token: str, organisation_id: str, person_id: str) -> dict:
        path = f"/v1/organisations/{organisation_id}/members/{person_id}"
        return self._call("DELETE", path, token, acting_for(organisation_id))

    def require_second_factor(self, token: str, organisation_id: str, required: bool) -> dict:
        path = f"/v1/organisations/{organisation_id}/second-factor-requirement"
        body = {"required": required}
        return self._call("PUT", path, token, acting_for(organisation_id), json=body)
