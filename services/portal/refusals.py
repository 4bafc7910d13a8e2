"""The services' refusals in the page's language. A service names the field and says why in
English (RFC 9457 `errors`); the portal shows the same reason beside the field, translated
where it knows the reason, else a plain "not accepted"."""

from __future__ import annotations

from flask_babel import gettext as _

from services.portal.service_api import ApiProblem

# The start of a reason as the catalog words it, and what the page says instead.
KNOWN = (
    ("a password needs at least", lambda: _("Use at least 15 characters: a few words do well.")),
    ("a password has at most", lambda: _("This password is too long.")),
    ("this password is among the most common", lambda: _("This password is too common.")),
    ("a password must not be your", lambda: _("Choose a password unlike your address or name.")),
    ("the link has expired", lambda: _("This link has expired: ask for a new one.")),
    ("this reset link has been used", lambda: _("This link has been used: ask for a new one.")),
    ("the invitation has been accepted", lambda: _("It has been accepted already: sign in.")),
    ("the invitation has expired", lambda: _("This invitation has expired: ask for a new one.")),
    ("your name (in english) is required", lambda: _("Enter your name in English.")),
    ("this account is disabled", lambda: _("This account is disabled.")),
    ("not a language", lambda: _("Choose one of the languages offered.")),
    ("must be one of", lambda: _("Choose one of the values offered.")),
    ("not an iana time zone", lambda: _("Choose a time zone from the list.")),
    (
        "the organisation has withdrawn this invitation",
        lambda: _("The organisation has withdrawn this invitation: ask its owner for a new one."),
    ),
)


def reason(message: str) -> str:
    for start, say in KNOWN:
        if message.lower().startswith(start):
            return say()
    return _("This value is not accepted.")


def place(refused: ApiProblem, form, fallback: str) -> None:
    """Each of the service's reasons beside the field it names; a reason about no field of
    the form (or none at all) beside `fallback`."""
    placed = False
    for name, messages in refused.errors.items():
        field = getattr(form, name, None)
        if field is None or not hasattr(field, "errors") or field.type == "HiddenField":
            field = getattr(form, fallback)
        field.errors = list(field.errors or []) + [reason(m) for m in messages]
        placed = True
    if not placed:
        field = getattr(form, fallback)
        field.errors = [reason(refused.detail or refused.title)]
