"""The web portal: server-rendered pages over the services' public HTTP APIs.

It holds sessions only. Every read and write goes to a service's API with the signed-in
person's access token, the same APIs an integrator uses. Pages work without JavaScript; htmx
(static/, see static/README.md) updates parts of some in place.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from urllib.parse import urlparse

from flask import Flask, g, render_template, request
from flask_babel import Babel
from flask_wtf.csrf import CSRFError, CSRFProtect

from services.portal import forms, i18n, labels, page_translations, signed_in
from services.portal.catalog_api import CatalogApi
from services.portal.deliverables_api import DeliverablesApi
from services.portal.licensing_api import LicensingApi
from services.portal.notify_api import NotifyApi
from services.portal.payment_api import PaymentApi
from services.portal.service_api import ServiceApi, ServiceUnavailable
from services.portal.views.vendor.workspace import organisations_of_kind, vendor_organisations
from shared import config
from shared import translations as shared_translations

# No inline script or style anywhere: what runs and how it looks comes from /static only.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


# Each service's client: its app.extensions key, class and base URL setting.
SERVICE_APIS = {
    "catalog_api": (CatalogApi, "IPMARKET_CATALOG_URL"),
    "licensing_api": (LicensingApi, "IPMARKET_LICENSING_URL"),
    "notify_api": (NotifyApi, "IPMARKET_NOTIFY_URL"),
    "deliverables_api": (DeliverablesApi, "IPMARKET_DELIVERABLES_URL"),
    "payment_api": (PaymentApi, "IPMARKET_PAYMENT_SIMULATOR_URL"),
}


def create_app(
    environ: dict[str, str] | None = None,
    catalog: CatalogApi | None = None,
    clock=None,
    **apis: ServiceApi,
) -> Flask:
    """`apis` replaces a service's client by its extension name (`licensing_api=…`), as
    `catalog` does the catalog's: tests hand in clients on a WSGI transport."""
    app = Flask(__name__)
    portal_url = config.get("IPMARKET_PORTAL_URL", environ)
    app.config.update(
        SECRET_KEY=config.require("IPMARKET_PORTAL_SECRET_KEY", environ),
        SESSION_COOKIE_NAME="ipmarket_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=urlparse(portal_url).scheme == "https",
        MAX_CONTENT_LENGTH=64 * 1024,  # forms; the IP-XACT import raises it for its routes only
        WTF_CSRF_TIME_LIMIT=None,  # bound to the session, which ends at sign-out
        # The shared catalogs first: the portal's own words win where both have an entry.
        BABEL_TRANSLATION_DIRECTORIES=f"{shared_translations.DIRECTORY};translations",
    )
    connect_services(app, environ, catalog, clock, **apis)
    CSRFProtect(app)
    Babel(app, locale_selector=_locale, timezone_selector=_timezone)
    page_translations.install(app)

    from services.portal.views import (
        account,
        account_links,
        applications,
        authenticator,
        compare,
        console,
        ip_requests,
        language,
        licensee,
        licensee_purchases,
        licensee_watches,
        passkeys,
        storefront,
        team,
    )
    from services.portal.views.console.access import country_name, platform_roles
    from services.portal.views.vendor import core_import as vendor_core_import
    from services.portal.views.vendor import core_offers as vendor_core_offers
    from services.portal.views.vendor import cores as vendor_cores
    from services.portal.views.vendor import licenses as vendor_licenses
    from services.portal.views.vendor import notices as vendor_notices
    from services.portal.views.vendor import orders as vendor_orders
    from services.portal.views.vendor import quotes as vendor_quotes
    from services.portal.views.vendor import requests as vendor_requests
    from services.portal.views.vendor import webhooks as vendor_webhooks

    blueprints = (
        storefront.bp,
        account.bp,
        passkeys.bp,
        authenticator.bp,
        account_links.bp,
        applications.bp,
        compare.bp,
        language.bp,
        console.bp,
        vendor_requests.bp,
        vendor_licenses.bp,
        vendor_webhooks.bp,
        vendor_notices.bp,
        licensee.bp,
        licensee_purchases.bp,
        licensee_watches.bp,
        vendor_core_import.bp,
        vendor_cores.bp,
        team.bp,
        vendor_quotes.bp,
        vendor_orders.bp,
        ip_requests.bp,
        vendor_core_offers.bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)

    app.jinja_env.globals.update(
        locales=i18n.LOCALES,
        current_locale=i18n.current_locale,
        language_name=i18n.language_name,
        html_lang=i18n.html_lang,
        person=signed_in.person,
        label=labels.label,
        page_words=labels.page_words,
        is_chinese=i18n.is_chinese,
        field_attributes=forms.field_attributes,
        max_query=forms.MAX_QUERY,
        vendor_workspace=lambda: bool(vendor_organisations(signed_in.person() or {})),
        licensee_workspace=lambda: bool(
            organisations_of_kind(signed_in.person() or {}, "licensee")
        ),
        country_name=country_name,
        platform_roles=platform_roles,
        passkeys_offered=lambda: passkeys_possible(portal_url, request.host),
    )
    app.jinja_env.filters.update(money=i18n.money, when=i18n.when)
    # Ready once loaded: it keeps nothing of its own, and a service that is down shows as a
    # page saying so rather than as a portal that never starts.
    app.add_url_rule("/readyz", "readyz", lambda: {"status": "ready"})
    app.after_request(_secure)
    app.register_error_handler(ServiceUnavailable, _unavailable)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.register_error_handler(404, _not_found)
    return app


def connect_services(
    app: Flask,
    environ: dict[str, str] | None = None,
    catalog: CatalogApi | None = None,
    clock=None,
    **apis: ServiceApi,
) -> None:
    """Give `app` its service clients and clock (see `create_app`). Also how the unit tier puts
    its fakes into a portal it has already built: building one is most of a page test's time."""
    if catalog is not None:
        apis["catalog_api"] = catalog
    for name, (client, url_setting) in SERVICE_APIS.items():
        app.extensions[name] = apis.get(name) or client(config.get(url_setting, environ))
    app.extensions["portal_clock"] = clock or (lambda: datetime.now(UTC))


def passkeys_possible(portal_url: str, request_host: str) -> bool:
    """A passkey is bound to the host of IPMARKET_PORTAL_URL, and WebAuthn refuses an IP
    address as relying party id: passkeys are offered on a page opened at that host name only
    (http://localhost:8000 by default; not at http://127.0.0.1:8000)."""
    host = urlparse(portal_url).hostname or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(host) and request_host.rsplit(":", 1)[0].lower() == host
    return False


def _locale() -> str:
    if "locale" not in g:
        person = signed_in.person() or {}
        g.locale = i18n.choose_locale(
            person.get("locale"),
            request.cookies.get(i18n.COOKIE),
            [tag for tag, _ in request.accept_languages],
        )
    return g.locale


def _timezone() -> str:
    """The person's own time zone, else their (first) organisation's, as notices use."""
    person = signed_in.person() or {}
    organisations = person.get("organisations") or {}
    zones = [o.get("timezone") for o in organisations.values() if o.get("timezone")]
    return person.get("timezone") or next(iter(zones), None) or "UTC"


def _secure(response):
    response.headers.update(SECURITY_HEADERS)
    # The same address answers in another language for another cookie or Accept-Language.
    response.vary.update(("Cookie", "Accept-Language"))
    return response


def _unavailable(error):
    return render_template("error.html", reason="unavailable"), 503


def _csrf_refused(error):
    return render_template("error.html", reason="csrf"), 400


def _not_found(error):
    return render_template("error.html", reason="not_found"), 404
