"""The portal's way to the catalog (see service_api): the storefront, signing in, the person's
own account."""

from __future__ import annotations

from services.portal.catalog_vendor_api import CatalogCoresApi, CatalogTeamApi
from services.portal.service_api import (
    Answer,
    ApiProblem,
    ServiceApi,
    ServiceUnavailable,
    answer_of,
    headers_with,
)

__all__ = ["DEVICE_COOKIE", "Answer", "ApiProblem", "CatalogApi", "ServiceUnavailable"]

# The cookie naming a browser to the catalog's sign-in (a sign-in from a new one is news to the
# person). The catalog sets it on its answer to the portal; the portal sets it in the browser
# and hands it back at each sign-in, so that it names the browser and not the portal.
DEVICE_COOKIE = "ipmarket_device"


class CatalogApi(CatalogCoresApi, CatalogTeamApi, ServiceApi):
    # --- the storefront (anyone; drafts only for their vendor) -----------------------------

    def search(self, params: list[tuple[str, str]], token: str | None = None) -> dict:
        return self.search_answer(params, token).data

    def search_answer(self, params: list[tuple[str, str]], token: str | None = None) -> Answer:
        """The search with the bytes of its answer (a search page keeps its results by them)."""
        return self._answer("GET", "/v1/cores", token, params=params)

    def core(self, core_id: str, token: str | None = None) -> dict:
        return self._call("GET", f"/v1/cores/{core_id}", token)

    def core_with_versions_answer(self, core_id: str, token: str | None = None) -> Answer:
        """The core with its line's versions (`versions`), in one call, with the bytes of the
        answer (a core page keeps what it shows by them)."""
        return self._answer("GET", f"/v1/cores/{core_id}", token, params={"include": "versions"})

    def taxonomy(self) -> dict:
        return self._call("GET", "/v1/cores/taxonomy")

    # --- signing in -------------------------------------------------------------------------

    def sign_in(self, email: str, password: str, client: dict[str, str]) -> dict:
        return self._signing_in("/v1/sessions", {"email": email, "password": password}, client)

    def second_factor(self, second_factor_token: str, code: str, client: dict[str, str]) -> dict:
        body = {"second_factor_token": second_factor_token, "code": code}
        return self._signing_in("/v1/sessions/second-factor", body, client)

    def passkey_options(self, second_factor_token: str | None = None) -> dict:
        """A ceremony to sign in with a passkey: alone, or after a right password."""
        body = {"second_factor_token": second_factor_token} if second_factor_token else {}
        return self._call("POST", "/v1/sessions/passkey/options", json=body)

    def passkey_sign_in(self, ceremony_id: str, credential: dict, client: dict[str, str]) -> dict:
        body = {"ceremony_id": ceremony_id, "credential": credential}
        return self._signing_in("/v1/sessions/passkey", body, client)

    def set_up_second_factor(self, second_factor_token: str) -> dict:
        body = {"second_factor_token": second_factor_token}
        return self._call("POST", "/v1/sessions/second-factor/setup", json=body)

    def confirm_second_factor(self, second_factor_token: str, code: str, client) -> dict:
        body = {"second_factor_token": second_factor_token, "code": code}
        return self._signing_in("/v1/sessions/second-factor/confirm", body, client)

    def _signing_in(self, path: str, body: dict, client: dict[str, str]) -> dict:
        """The catalog's outcome of a step of signing in; `device_id` in it when the catalog
        named the browser's device (a cookie it sets for the browser: client_of_request)."""
        response = self._send("POST", path, headers_with(None, client), json=body)
        outcome = answer_of(response).data
        device_id = response.cookies.get(DEVICE_COOKIE)
        if device_id:
            outcome["device_id"] = device_id
        return outcome

    def refresh(self, refresh_token: str) -> dict:
        return self._call("POST", "/v1/sessions/refresh", json={"refresh_token": refresh_token})

    # --- the pages e-mailed links open, and applying to join -----------------------------------

    def request_password_reset(self, email: str) -> dict:
        return self._call("POST", "/v1/sessions/password-reset", json={"email": email})

    def reset_password(self, token: str, password: str) -> dict:
        body = {"token": token, "password": password}
        return self._call("POST", "/v1/sessions/password-reset/complete", json=body)

    def accept_invitation(self, token: str, name_en, name_zh, password) -> dict:
        body = {"token": token, "name_en": name_en, "name_zh": name_zh, "password": password}
        return self._call("POST", "/v1/invitations/accept", json=body)

    def apply(self, application: dict) -> dict:
        return self._call("POST", "/v1/organisation-applications", json=application)

    def request_ip(self, request: dict, token: str) -> dict:
        return self._call("POST", "/v1/ip-requests", token, json=request)

    # --- the person's own account -------------------------------------------------------------

    def me(self, token: str) -> dict:
        return self._call("GET", "/v1/people/me", token)

    def change_settings(self, settings: dict, token: str) -> dict:
        """PATCH /v1/people/me: {"locale", "timezone"} (None: the organisation's)."""
        return self._call("PATCH", "/v1/people/me", token, json=settings)

    def sessions(self, token: str) -> list[dict]:
        return self._call("GET", "/v1/people/me/sessions", token)["items"]

    def end_session(self, session_id: str, token: str) -> dict:
        return self._call("DELETE", f"/v1/people/me/sessions/{session_id}", token)

    def passkey_registration_options(self, token: str) -> dict:
        return self._call("POST", "/v1/people/me/passkeys/options", token)

    def passkeys(self, token: str) -> list[dict]:
        return self._call("GET", "/v1/people/me/passkeys", token)["items"]

    def remove_passkey(self, passkey_id: str, token: str) -> dict:
        return self._call("DELETE", f"/v1/people/me/passkeys/{passkey_id}", token)

    def enrol_passkey(self, ceremony_id: str, credential: dict, name: str, token: str) -> dict:
        body = {"ceremony_id": ceremony_id, "credential": credential, "name": name}
        return self._call("POST", "/v1/people/me/passkeys", token, json=body)

    def start_authenticator(self, token: str) -> dict:
        return self._call("POST", "/v1/people/me/second-factor", token)

    def confirm_authenticator(self, code: str, token: str) -> dict:
        return self._call("POST", "/v1/people/me/second-factor/confirm", token, json={"code": code})

    def organisation(self, organisation_id: str, token: str) -> dict:
        return self._call("GET", f"/v1/organisations/{organisation_id}", token)

    # --- the operator console -----------------------------------------------------------------

    def organisations(self, token: str, cursor: str | None = None) -> dict:
        params = {"cursor": cursor} if cursor else {}
        return self._call("GET", "/v1/organisations", token, params=params)

    def people(self, token: str, email: str | None = None, cursor: str | None = None) -> dict:
        params = {k: v for k, v in (("email", email), ("cursor", cursor)) if v}
        return self._call("GET", "/v1/people", token, params=params)

    def person(self, person_id: str, token: str) -> dict:
        return self._call("GET", f"/v1/people/{person_id}", token)

    def set_platform_roles(self, person_id: str, roles: list[str], token: str) -> dict:
        path = f"/v1/people/{person_id}/platform-roles"
        return self._call("PUT", path, token, json={"roles": roles})

    def applications(self, token: str, status: str, cursor: str | None = None) -> dict:
        params = {"status": status, **({"cursor": cursor} if cursor else {})}
        return self._call("GET", "/v1/organisation-applications", token, params=params)

    def decide_application(
        self, application_id: str, decision: str, reason: str | None, token: str
    ) -> dict:
        """decision: approve or decline."""
        path = f"/v1/organisation-applications/{application_id}/{decision}"
        return self._call("POST", path, token, json={"reason": reason})
