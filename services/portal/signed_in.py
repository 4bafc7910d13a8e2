"""The signed-in person as the portal's session holds them.

The session is Flask's signed cookie (HttpOnly, SameSite=Lax, Secure over TLS). The catalog's
access and refresh tokens in it are sealed besides (Fernet: AES-CBC + HMAC, key derived from the
portal's secret), so that neither page script nor whoever reads the cookie can use them against
the services; only this server unseals them. Signing in clears the session first: nothing of
the anonymous one (its CSRF token included) carries over, and it gets a new id.
"""

from __future__ import annotations

import base64
import json
import secrets
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import after_this_request, current_app, request, session

from services.portal.catalog_api import DEVICE_COOKIE, ApiProblem, CatalogApi

# Refresh a little before the access token runs out, so that it does not expire in transit.
REFRESH_MARGIN = timedelta(seconds=30)
DEVICE_COOKIE_SECONDS = 400 * 24 * 3600  # the longest browsers keep a cookie (RFC 6265bis)


def _fernet() -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"ipmarket portal: catalog tokens"
    ).derive(current_app.secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _seal(tokens: dict) -> str:
    return _fernet().encrypt(json.dumps(tokens).encode()).decode()


def _unseal(sealed: str) -> dict | None:
    try:
        return json.loads(_fernet().decrypt(sealed.encode()))
    except (InvalidToken, ValueError):
        return None


def claims_of(access_token: str) -> dict:
    """The claims of an access token the catalog has just handed this server over its own
    connection: read, not verified (the services verify it on every request)."""
    payload = access_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _tokens_of(signed_in: dict) -> dict:
    return {
        "access": signed_in["access_token"],
        "refresh": signed_in["refresh_token"],
        "expires_at": signed_in["access_token_expires_at"],
    }


def open_session(signed_in: dict, email: str, account: dict | None = None) -> None:
    """After the catalog said signed_in: a new session naming the person, with their own
    account (GET /v1/people/me: names, language, time zone, organisations) when the catalog
    answered it."""
    claims = claims_of(signed_in["access_token"])
    account = account or {}
    if signed_in.get("device_id"):
        _keep_device(signed_in["device_id"])
    session.clear()
    session["id"] = secrets.token_urlsafe(18)
    session["person"] = {
        "id": claims["sub"],
        "email": email,
        "name_en": account.get("name_en") or claims.get("name"),
        "name_zh": account.get("name_zh"),
        "locale": account.get("locale"),
        "timezone": account.get("timezone"),
        "catalog_session_id": signed_in["session_id"],
        "memberships": claims.get("memberships", {}),
        "organisations": {
            m["organisation_id"]: {
                "name_en": m["legal_name_en"],
                "name_zh": m["legal_name_zh"],
                "kinds": m.get("kinds"),  # vendor, licensee: which workspaces it has
                "timezone": m.get("timezone"),  # the person's when they chose none
            }
            for m in account.get("memberships", [])
        },
        "platform_roles": claims.get("platform_roles", []),
    }
    session["tokens"] = _seal(_tokens_of(signed_in))


def person() -> dict | None:
    return session.get("person")


def remember_settings(locale: str | None, timezone: str | None) -> None:
    """The person's own language and time zone as the catalog now holds them (None: the
    organisation's), which the pages speak and date in from now on."""
    held = session["person"]
    held["locale"], held["timezone"] = locale, timezone
    session.modified = True  # a change inside the dict is not seen by the session itself


def access_token(catalog: CatalogApi, now: datetime) -> str | None:
    """The person's access token, refreshed through the catalog when it is about to run out;
    None (and the session ended) when the catalog no longer honours the session."""
    sealed = session.get("tokens")
    tokens = _unseal(sealed) if sealed else None
    if tokens is None:
        return None
    if datetime.fromisoformat(tokens["expires_at"]) - REFRESH_MARGIN > now:
        return tokens["access"]
    try:
        refreshed = catalog.refresh(tokens["refresh"])
    except ApiProblem:
        end_session()
        return None
    session["tokens"] = _seal(_tokens_of(refreshed))
    return refreshed["access_token"]


def hold_second_factor(second_factor_token: str, email: str) -> None:
    session["second_factor"] = _seal({"token": second_factor_token, "email": email})


def pending_second_factor() -> dict | None:
    sealed = session.get("second_factor")
    return _unseal(sealed) if sealed else None


def hold_authenticator_setup(otpauth_uri: str) -> None:
    """The secret of an authenticator app being set up, until its first code confirms it."""
    session["authenticator_setup"] = _seal({"uri": otpauth_uri})


def pending_authenticator_setup(clear: bool = False) -> str | None:
    key = "authenticator_setup"
    sealed = session.pop(key, None) if clear else session.get(key)
    held = _unseal(sealed) if sealed else None
    return held["uri"] if held else None


def end_session() -> None:
    session.clear()


def _keep_device(device_id: str) -> None:
    """The browser keeps the device cookie the catalog made for it (catalog_api.DEVICE_COOKIE),
    sent only with the portal's sign-in pages, which hand it back to the catalog."""

    @after_this_request
    def set_cookie(response):
        response.set_cookie(
            DEVICE_COOKIE,
            device_id,
            max_age=DEVICE_COOKIE_SECONDS,
            path="/sign-in",
            secure=request.is_secure,
            httponly=True,
            samesite="Lax",
        )
        return response
