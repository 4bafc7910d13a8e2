"""E-mails about one person's own account or one organisation's application (the words are
`domain.account_messages`), through the same templates and headers as the notices."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

from services.notify.domain import account_messages as account
from services.notify.domain.locales import locale_for, organisation_name, zone_for
from services.notify.domain.wording import LABELS
from services.notify.mail import message_headers, with_body
from shared import config


def compose_account(
    *,
    event_type: str,
    occurred_at: datetime,
    data: dict,
    organisation,
    to_name: str,
    to_address: str,
    locale: str,
    timezone: str | None,
    message_id: str,
    now: datetime,
) -> EmailMessage:
    """A message about the addressee's own account or application (domain.account_messages),
    in `locale` and `timezone` (None: the organisation's, if known, else UTC). `organisation`:
    the one that invites, or None. No List-Unsubscribe: these cannot be turned off."""
    locale = locale_for(locale)
    zone = zone_for(timezone or (organisation.timezone if organisation is not None else None))
    labels = account.LABELS[locale]
    subject, sentence = account.WORDS[locale][event_type]
    values = {
        "organisation": organisation_name(organisation, locale) or data.get("organisation_id"),
        "applicant": data.get("legal_name_zh") if locale != "en" else None,
        "roles": account.roles_text(data.get("roles") or [], locale),
    }
    values["applicant"] = values["applicant"] or data.get("legal_name_en", "")
    link = account.link_for(event_type, data, config.get("IPMARKET_PORTAL_URL"))
    context = {
        "locale": locale,
        "greeting": LABELS[locale]["greeting"].format(name=to_name)
        if to_name
        else labels["greeting_nameless"],
        "title": subject.format(**values),
        "summary": sentence.format(**values),
        "action": {"label": labels[account.ACTION_LABELS[event_type]], "url": link}
        if link
        else None,
        "details": account.account_rows(event_type, data, occurred_at, locale, zone),
        "footer": labels["footer"].format(address=to_address),
    }
    message = message_headers(
        context["title"], to_name, to_address, message_id, now, zone, event_type, None
    )
    return with_body(message, context, locale)
