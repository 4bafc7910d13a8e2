"""What the licensing service refused, in the page's language: each field's error beside its
field (the service names the field; its words are English, so the portal says the same thing
in the reader's language), the rest as one message for the page."""

from __future__ import annotations

from flask_babel import gettext as _

from services.portal.service_api import ApiProblem

# (field, words in the service's message) → what the page says; the first that matches wins.
_FIELD_MESSAGES = (
    (
        "version_range",
        "not a version range",
        lambda: _("Not a version range: write one such as >=1.0,<2.0."),
    ),
    (
        "version_range",
        "does not include",
        lambda: _("The range must include the version of the core offered."),
    ),
    (
        "offer_id",
        "priced on request",
        lambda: _("This offer is priced on request: give the expected volume to ask for a quote."),
    ),
    ("offer_id", "has a price", lambda: _("This offer has a price: request the license itself.")),
    ("offer_id", "no offer", lambda: _("The core has no such offer.")),
    ("core_id", "not offered", lambda: _("This core is not offered for licensing now.")),
    ("end_use_country", "", lambda: _("Choose a country from the list.")),
    ("volume", "", lambda: _("A whole number from 1 to a trillion.")),
)
# A field of the API that the page shows under another name.
_SHOWN_AS = {"core_id": "offer_id"}


def field_message(field: str, message: str) -> str:
    for name, words, say in _FIELD_MESSAGES:
        if name == field and words in message:
            return say()
    return _("This value is not accepted.")


def place(problem: ApiProblem, form=None) -> str | None:
    """Put the problem's field errors on FORM's fields; return the message for the page (None
    when every error found its field)."""
    unplaced = False
    for api_field, messages in problem.errors.items():
        shown = _SHOWN_AS.get(api_field, api_field)
        if form is not None and shown in form._fields:
            form[shown].errors = [field_message(api_field, " ".join(messages))]
        else:
            unplaced = True
    if problem.errors and not unplaced:
        return None
    return page_message(problem)


def page_message(problem: ApiProblem) -> str:
    if problem.status in (401, 403):
        return _("Your roles in this organisation do not allow this.")
    if problem.status == 404:
        return _("It is not there, or not yours to see.")
    if problem.status == 409 and "no longer licensed" in problem.detail:  # a quote's core
        return _("The vendor has withdrawn this core: it can no longer be licensed.")
    if problem.status == 409 and "has expired" in problem.detail:
        return _("This quote has expired: ask the vendor for a new one.")
    if problem.status == 409:
        return _("This can no longer be done: it has changed meanwhile. Here it is as it is now.")
    if problem.status == 429:
        return _("Too many attempts. Try again later.")
    return _("The licensing service did not accept this.")
