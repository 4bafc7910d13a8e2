"""What the notices say: a subject per event type and the labels of the e-mail templates, as
English message ids; the Chinese wording is in the shared catalogs (shared/translations, zh_Hans
following Mainland usage: 授权, IP 核, 密钥; zh_Hant Taiwan and Hong Kong usage: 授權, 金鑰, and
IP 核 as on the portal's pages), translated with the portal's by `make portal-translations`.
Placeholders: {core} (the VLNV), {category}, {organisation}, {days}, {key_name}, {vendor_name},
{url}, {invoice}.
"""

from __future__ import annotations

from shared import translations
from shared.events import catalog, deliverables, licensing, notify
from shared.vocabulary import N_

LOCALES = ("en", "zh-Hans", "zh-Hant")

SUBJECT_IDS: dict[str, str] = {
    licensing.LICENSE_REQUESTED: N_("License request for {core}"),
    licensing.LICENSE_APPROVED: N_("License request approved: {core}"),
    licensing.LICENSE_REJECTED: N_("License request rejected: {core}"),
    licensing.LICENSE_DENIED: N_("License request refused by export screening: {core}"),
    licensing.LICENSE_EXPORT_CLEARED: N_("License request cleared by export review: {core}"),
    licensing.LICENSE_ISSUED: N_("License issued: {core}"),
    licensing.LICENSE_SUSPENDED: N_("License suspended: {core}"),
    licensing.LICENSE_REINSTATED: N_("License reinstated: {core}"),
    licensing.LICENSE_REVOKED: N_("License revoked: {core}"),
    licensing.LICENSE_RENEWED: N_("License renewed: {core}"),
    licensing.LICENSE_EXPIRING: N_("Your license for {core} expires in {days} days"),
    licensing.LICENSE_EXPIRED: N_("License expired: {core}"),
    catalog.CORE_PUBLISHED: N_("New core published: {core}"),
    catalog.CORE_UPDATED: N_("Core updated: {core}"),
    catalog.CORE_DEPRECATED: N_("Core deprecated: {core}"),
    catalog.CORE_WITHDRAWN: N_("Core withdrawn: {core}"),
    catalog.ORGANISATION_REGISTERED: N_("Welcome to ipmarket, {organisation}"),
    catalog.ORGANISATION_UPDATED: N_("Your organisation's details were updated"),
    catalog.API_KEY_CREATED: N_("New API key created: {key_name}"),
    catalog.API_KEY_REVOKED: N_("An API key was revoked"),
    catalog.VENDOR_NAME_CONFIRMED: N_("VLNV vendor name confirmed: {vendor_name}"),
    catalog.VENDOR_NAME_DECLINED: N_("VLNV vendor name declined: {vendor_name}"),
    notify.WEBHOOK_ENDPOINT_DISABLED: N_("Webhook endpoint disabled: {url}"),
    licensing.QUOTE_REQUESTED: N_("Quote requested for {core}"),
    licensing.QUOTE_SENT: N_("Quote sent for {core}"),
    licensing.QUOTE_ACCEPTED: N_("Quote accepted: {core}"),
    licensing.QUOTE_DECLINED: N_("Quote declined: {core}"),
    licensing.QUOTE_REJECTED: N_("The vendor will not quote for {core}"),
    licensing.ORDER_CREATED: N_("Order placed: {core}"),
    licensing.INVOICE_ISSUED: N_("Invoice {invoice} for {core}"),
    licensing.INVOICE_OVERDUE: N_("Invoice {invoice} is overdue"),
    licensing.ORDER_PAID: N_("Order paid: {core}"),
    licensing.ORDER_CANCELLED: N_("Order cancelled: {core}"),
    licensing.ORDER_REFUNDED: N_("Order refunded: {core}"),
    deliverables.DELIVERABLES_READY: N_("Your files for {core} are ready to download"),
    catalog.IP_REQUESTED: N_("Request for IP: {category}"),
    deliverables.DELIVERABLES_DAILY_DIGEST: N_("Downloads of your files on {day}: {downloads}"),
}

# Labels and sentences of the e-mail templates.
LABEL_IDS: dict[str, str] = {
    "greeting": N_("Dear {name},"),
    "core": N_("Core"),
    "license": N_("License"),
    "request": N_("Request"),
    "project": N_("Project"),
    "offer": N_("Offer"),
    "reason": N_("Reason"),
    "not_before": N_("Valid from"),
    "expires_at": N_("Expires"),
    "perpetual": N_("never (perpetual)"),
    "status": N_("Status"),
    "endpoint": N_("Endpoint"),
    "occurred_at": N_("When"),
    "invoice": N_("Invoice"),
    "amount": N_("Amount"),
    "paid": N_("Paid"),
    "due_at": N_("Due"),
    "valid_until": N_("Valid until"),
    "order": N_("Order"),
    "quote": N_("Quote"),
    "vendor": N_("Vendor"),
    "licensee": N_("Licensee"),
    "package": N_("Your files"),
    "files": N_("Files"),
    "open": N_("Open it on ipmarket"),
    "category": N_("Category"),
    "needed": N_("What is needed"),
    "node": N_("Process node"),
    "foundry": N_("Foundry"),
    "requester": N_("Asked by"),
    "contact": N_("Contact"),
    "downloads": N_("Downloads"),
    "licensees": N_("Licensees"),
    "download_line": N_("{licensee}: {count} downloads from {addresses} addresses, last {when}"),
    "more_entries": N_("Not listed"),
    "footer": N_(
        "You receive this notice as a contact of {organisation} on ipmarket. "
        "Choose which notices you get at {preferences_url}."
    ),
    "footer_role": N_("You receive this notice for your role at {organisation} on ipmarket."),
    "weekdays": N_("Mon Tue Wed Thu Fri Sat Sun"),
    "date_format": N_("{weekday} {day} {month_name} {year}, {hour:02d}:{minute:02d}"),
    "months": N_("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"),
}


def in_each_locale(message_ids: dict[str, str]) -> dict[str, dict[str, str]]:
    """{locale: {key: words}} from English message ids, through the shared catalogs."""
    return {
        locale: {key: translations.gettext(locale, m) for key, m in message_ids.items()}
        for locale in LOCALES
    }


SUBJECTS = in_each_locale(SUBJECT_IDS)
LABELS = in_each_locale(LABEL_IDS)
