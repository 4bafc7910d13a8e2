"""The vendor workspace's forms (Flask-WTF, with CSRF): each field's rules match the service's
own, so that bad input is refused beside its field, in the page's language, before any call."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp

from services.portal.portal_form import PortalForm

MAX_TEXT = 2000  # the licensing service's bound on comments and reasons
_TOO_LONG = _l("Use at most %(max)d characters.")
_MONTHS = _l("Enter a number of months from 1 to 120.")


class ApproveForm(PortalForm):
    comment = TextAreaField(
        _l("Comment (optional)"), validators=[Optional(), Length(max=MAX_TEXT, message=_TOO_LONG)]
    )


class RejectForm(PortalForm):
    comment = TextAreaField(
        _l("Why it is rejected"),
        validators=[
            DataRequired(message=_l("Say why: the licensee reads it.")),
            Length(max=MAX_TEXT, message=_TOO_LONG),
        ],
    )


class RejectQuoteForm(PortalForm):
    reason = TextAreaField(
        _l("Why you will not quote"),
        validators=[
            DataRequired(message=_l("Say why: the licensee reads it.")),
            Length(max=MAX_TEXT, message=_TOO_LONG),
        ],
    )


def _required_reason(label):
    """Suspend or revoke: the reason is required (the licensee and the audit read it)."""
    return TextAreaField(
        label,
        validators=[
            DataRequired(message=_l("Give the reason.")),
            Length(max=MAX_TEXT, message=_TOO_LONG),
        ],
    )


class SuspendForm(PortalForm):
    reason = _required_reason(_l("Why it is suspended"))


class RevokeForm(PortalForm):
    reason = _required_reason(_l("Why it is revoked (this is final)"))


class ReinstateForm(PortalForm):
    reason = TextAreaField(
        _l("Reason (optional)"), validators=[Optional(), Length(max=MAX_TEXT, message=_TOO_LONG)]
    )


class RenewForm(PortalForm):
    # A string checked by pattern: WTForms' own integer message is not in our catalogs.
    months = StringField(
        _l("Months to add"),
        default="12",
        validators=[
            DataRequired(message=_MONTHS),
            Regexp(r"^(?:[1-9][0-9]?|1[01][0-9]|120)$", message=_MONTHS),
        ],
    )


class EndpointForm(PortalForm):
    """A webhook endpoint: every notice the organisation gets goes to it (as the API's default)."""

    url = StringField(
        _l("Address (URL) that receives the notices"),
        validators=[
            DataRequired(message=_l("Enter the address, such as https://example.com/hooks.")),
            Length(max=2000, message=_TOO_LONG),
            Regexp(
                r"^https?://[^\s/?#]+([/?#]\S*)?$",
                message=_l("Enter an address starting with https:// or http://."),
            ),
        ],
    )
    description = StringField(
        _l("Description (optional)"),
        validators=[Optional(), Length(max=500, message=_TOO_LONG)],
    )


class ActionForm(PortalForm):
    """Only its CSRF token: rotate a secret, replay a delivery."""


CURRENCIES = ("USD", "CNY", "HKD")  # the licensing service's (services/licensing/domain/money)
_AMOUNT = _l("Enter an amount such as 25000.00 (at most two decimals).")
_DATE = _l("Enter a date such as 2027-01-31.")


class QuotePriceForm(PortalForm):
    """The vendor's price for a quote: amount, currency, how long it holds, its terms."""

    amount = StringField(
        _l("Price"),
        validators=[
            DataRequired(message=_AMOUNT),
            Regexp(r"^[0-9]{1,13}(\.[0-9]{1,2})?$", message=_AMOUNT),
        ],
    )
    # Checked by AnyOf, not WTForms' own choice check: its message is not in our catalogs.
    currency = SelectField(
        _l("Currency"),
        choices=list(CURRENCIES),
        validate_choice=False,
        validators=[AnyOf(CURRENCIES, message=_l("Choose USD, CNY or HKD."))],
    )
    valid_until = StringField(
        _l("Valid until (the end of that day)"),
        validators=[
            DataRequired(message=_DATE),
            Regexp(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", message=_DATE),
        ],
        render_kw={"type": "date"},
    )
    terms = TextAreaField(
        _l("Terms"),
        validators=[
            DataRequired(message=_l("State the terms: the licensee reads them.")),
            Length(max=4000, message=_TOO_LONG),
        ],
    )


class RefundForm(PortalForm):
    reason = _required_reason(_l("Why it is refunded (its license is revoked)"))
