"""What every page handler uses: the services' API clients, the clock, the person's credential."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, request

from services.portal import signed_in
from services.portal.catalog_api import DEVICE_COOKIE, CatalogApi
from services.portal.deliverables_api import DeliverablesApi
from services.portal.licensing_api import LicensingApi
from services.portal.notify_api import NotifyApi


def catalog() -> CatalogApi:
    return current_app.extensions["catalog_api"]


def licensing() -> LicensingApi:
    return current_app.extensions["licensing_api"]


def notify() -> NotifyApi:
    return current_app.extensions["notify_api"]


def deliverables() -> DeliverablesApi:
    return current_app.extensions["deliverables_api"]


def now() -> datetime:
    return current_app.extensions["portal_clock"]()


def credential() -> str | None:
    """The signed-in person's access token for the services, or None for a visitor."""
    return signed_in.access_token(catalog(), now()) if signed_in.person() else None


def local_target(target: str | None, default: str = "/") -> str:
    """A path on this site to go back to; anything else (another host, //host) is refused, so
    that a link cannot send a person elsewhere after signing in."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return default


def client_of_request() -> dict[str, str]:
    """What the catalog notes of a sign-in: the person's browser, address and device cookie,
    not the portal's. (The catalog reads the address from X-Forwarded-For only once it trusts
    the portal as a proxy; until then its per-address throttle counts the portal's own.)"""
    client = {
        "User-Agent": request.user_agent.string or "unknown",
        "X-Forwarded-For": request.remote_addr or "unknown",
    }
    device_id = request.cookies.get(DEVICE_COOKIE, "")
    if device_id and all(c.isascii() and (c.isalnum() or c in "-_") for c in device_id):
        client["Cookie"] = f"{DEVICE_COOKIE}={device_id}"  # as the catalog made it, or none
    return client
