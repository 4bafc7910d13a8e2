"""The portal's way to the catalog (see service_api): the storefront, signing in, the person's
own account."""

from __future__ import annotations

from services.portal.service_api import ApiProblem, ServiceApi, ServiceUnavailable

__all__ = ["ApiProblem", "CatalogApi", "ServiceUnavailable"]


class CatalogApi(ServiceApi):
    # --- the storefront (anyone; drafts only for their vendor) -----------------------------

    def search(self, params: list[tuple[str, str]], token: str | None = None) -> dict:
        return self._call("GET", "/v1/cores", token, params=params)

    def core(self, core_id: str, token: str | None = None) -> dict:
        return self._call("GET", f"/v1/cores/{core_id}", token)

    def versions(self, core_id: str, token: str | None = None) -> list[dict]:
        return self._call("GET", f"/v1/cores/{core_id}/versions", token)["items"]

    def taxonomy(self) -> dict:
        return self._call("GET", "/v1/cores/taxonomy")

    # --- signing in -------------------------------------------------------------------------

    def sign_in(self, email: str, password: str, client: dict[str, str]) -> dict:
        return self._call(
            "POST", "/v1/sessions", json={"email": email, "password": password}, headers=client
        )

    def second_factor(self, second_factor_token: str, code: str, client: dict[str, str]) -> dict:
        body = {"second_factor_token": second_factor_token, "code": code}
        return self._call("POST", "/v1/sessions/second-factor", json=body, headers=client)

    def refresh(self, refresh_token: str) -> dict:
        return self._call("POST", "/v1/sessions/refresh", json={"refresh_token": refresh_token})

    # --- the person's own account -------------------------------------------------------------

    def me(self, token: str) -> dict:
        return self._call("GET", "/v1/people/me", token)

    def end_session(self, session_id: str, token: str) -> dict:
        return self._call("DELETE", f"/v1/people/me/sessions/{session_id}", token)

    def organisation(self, organisation_id: str, token: str) -> dict:
        return self._call("GET", f"/v1/organisations/{organisation_id}", token)

    # --- the operator console -----------------------------------------------------------------

    def organisations(self, token: str, cursor: str | None = None) -> dict:
        params = {"cursor": cursor} if cursor else {}
        return self._call("GET", "/v1/organisations", token, params=params)

    def decide_application(
        self, application_id: str, decision: str, reason: str | None, token: str
    ) -> dict:
        """decision: approve or decline."""
        path = f"/v1/organisation-applications/{application_id}/{decision}"
        return self._call("POST", path, token, json={"reason": reason})
