"""Messages about one person's own account or one organisation's application: an invitation,
an application received or decided, a password reset, a sign-in from a new device, a second
factor removed. Each goes to one address by e-mail only (never to an organisation's contacts or
webhooks: some carry a single-use link), in the addressee's language and time zone.

Pure: what the message says. Who it goes to is `addressee` when the event names them, else the
person the event is about (notify's projection of people, `services.notify.people`).
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from services.notify.domain.locales import format_when
from services.notify.domain.wording import LABELS as NOTICE_LABELS
from services.notify.domain.wording import LOCALES, in_each_locale
from shared.events import people
from shared.translations import gettext
from shared.vocabulary import N_

ACCOUNT_TYPES = (
    people.MEMBER_INVITED,
    people.ORGANISATION_APPLIED,
    people.ORGANISATION_APPLICATION_APPROVED,
    people.ORGANISATION_APPLICATION_DECLINED,
    people.PASSWORD_RESET_REQUESTED,
    people.SIGNED_IN_FROM_NEW_DEVICE,
    people.SECOND_FACTOR_RESET,
)
# The page of the portal each link opens (its token in the query), below IPMARKET_PORTAL_URL.
LINK_PATHS = {
    people.MEMBER_INVITED: "/invitations/accept",
    people.PASSWORD_RESET_REQUESTED: "/password-reset",
}
ACTION_LABELS = {people.MEMBER_INVITED: "accept", people.PASSWORD_RESET_REQUESTED: "reset"}


class Addressee(NamedTuple):
    """Who an account message goes to. `key`: what it is about (a person, an application, an
    invitation), standing for the organisation in the delivery log so that no organisation's
    log shows another's links."""

    key: str
    email: str
    name: str
    locale: str
    timezone: str | None  # None: the organisation's, else UTC


def addressee(event_type: str, data: dict) -> Addressee | None:
    """The addressee the event names; None when it names only the person (look them up)."""
    if event_type == people.MEMBER_INVITED:
        return Addressee(data["invitation_id"], data["email"], "", data["locale"], None)
    if event_type in APPLICATION_TYPES:
        return Addressee(
            data["application_id"],
            data["contact_email"],
            data["contact_name"],
            data["locale"],
            None,
        )
    if "email" in data:  # a PersonNotice: the person's own address, language and zone
        name = data["name_zh"] if data["locale"] != "en" and data["name_zh"] else data["name_en"]
        return Addressee(data["person_id"], data["email"], name, data["locale"], data["timezone"])
    return None


APPLICATION_TYPES = (
    people.ORGANISATION_APPLIED,
    people.ORGANISATION_APPLICATION_APPROVED,
    people.ORGANISATION_APPLICATION_DECLINED,
)

# subject, then the sentence that says what happened and what to do (English message ids;
# the shared catalogs hold the Chinese)
WORD_IDS: dict[str, tuple[str, str]] = {
    people.MEMBER_INVITED: (
        N_("You are invited to join {organisation} on ipmarket"),
        N_(
            "{organisation} invites you to join it on ipmarket as {roles}. Open the link below to "
            "accept and set your password; it works once."
        ),
    ),
    people.ORGANISATION_APPLIED: (
        N_("We received the application of {applicant}"),
        N_(
            "Thank you. The platform's operators will review the application and write to you when"
            " they have decided."
        ),
    ),
    people.ORGANISATION_APPLICATION_APPROVED: (
        N_("{applicant} is approved on ipmarket"),
        N_(
            "The application is approved. You will receive an invitation to set up your account "
            "shortly."
        ),
    ),
    people.ORGANISATION_APPLICATION_DECLINED: (
        N_("The application of {applicant} was declined"),
        N_(
            "The platform's operators declined the application. The reason they gave is below; you"
            " are welcome to apply again."
        ),
    ),
    people.PASSWORD_RESET_REQUESTED: (
        N_("Reset your ipmarket password"),
        N_(
            "Someone asked to reset the password of your account. If it was you, open the link "
            "below to choose a new one; it works once. If not, ignore this message: your password "
            "stays as it is."
        ),
    ),
    people.SIGNED_IN_FROM_NEW_DEVICE: (
        N_("New sign-in to your ipmarket account"),
        N_(
            "Your account was signed in to from a browser or device not seen before. If it was not"
            " you, change your password and end that session at once."
        ),
    ),
    people.SECOND_FACTOR_RESET: (
        N_("Your second factor was reset"),
        N_(
            "A platform operator removed your second factor. You will set up a new one at your "
            "next sign-in. If you did not ask for this, contact the platform at once."
        ),
    ),
}
# a member role as the invitation names it
ROLE_NAME_IDS = {
    "owner": N_("owner"),
    "publisher": N_("publisher"),
    "approver": N_("approver"),
    "buyer": N_("buyer"),
    "finance": N_("finance officer"),
    "viewer": N_("viewer"),
}
ROLE_SEPARATOR = {"en": ", ", "zh-Hans": "、", "zh-Hant": "、"}
LABEL_IDS = {
    "link": N_("Link"),
    "link_expires": N_("The link works until"),
    "reason": N_("Reason"),
    "device": N_("Browser or device"),
    "address": N_("IP address"),
    "signed_in_at": N_("Signed in"),
    "greeting_nameless": N_("Hello,"),
    "accept": N_("Accept the invitation"),
    "reset": N_("Choose a new password"),
    "footer": N_(
        "ipmarket sent this message to {address} about your account or your organisation's "
        "application. It goes to no one else, and no setting turns it off."
    ),
}
WORDS = {
    locale: {t: (gettext(locale, s), gettext(locale, w)) for t, (s, w) in WORD_IDS.items()}
    for locale in LOCALES
}
ROLE_NAMES = in_each_locale(ROLE_NAME_IDS)
LABELS = in_each_locale(LABEL_IDS)


def roles_text(roles: list[str], locale: str) -> str:
    names = ROLE_NAMES[locale]
    return ROLE_SEPARATOR[locale].join(names.get(role, role) for role in roles)


def link_for(event_type: str, data: dict, portal_url: str) -> str | None:
    """The single-use link the message carries, if any."""
    path = LINK_PATHS.get(event_type)
    if path is None:
        return None
    return f"{portal_url.rstrip('/')}{path}?token={data['link_token']}"


def account_rows(
    event_type: str, data: dict, occurred_at: datetime, locale: str, zone: ZoneInfo
) -> list[tuple[str, str]]:
    """(label, value) lines of the message's body, times in the addressee's zone."""
    labels = LABELS[locale]
    rows = []
    if event_type in LINK_PATHS:
        when = datetime.fromisoformat(data["expires_at"])
        rows.append((labels["link_expires"], format_when(when, locale, zone)))
    if event_type == people.ORGANISATION_APPLICATION_DECLINED and data.get("reason"):
        rows.append((labels["reason"], data["reason"]))
    if event_type == people.SIGNED_IN_FROM_NEW_DEVICE:
        when = datetime.fromisoformat(data["signed_in_at"])
        rows += [
            (labels["signed_in_at"], format_when(when, locale, zone)),
            (labels["device"], data["user_agent"]),
            (labels["address"], data["client_address"]),
        ]
    else:
        rows.append((NOTICE_LABELS[locale]["occurred_at"], format_when(occurred_at, locale, zone)))
    return rows
