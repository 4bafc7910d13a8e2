"""The licensee's forms: asking for a license (or, for an offer priced on request, a quote),
answering a quote, ordering and paying. Each field's bounds are the licensing API's
(services/licensing/schemas), checked here first so that a mistake is told in the page's
language without a round trip; what only the service can judge comes back from it and is
put beside its field too (licensee_problems.py)."""

from __future__ import annotations

import uuid

from babel import Locale
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from services.portal import i18n
from services.portal.domain.countries import country_codes
from services.portal.portal_form import PortalForm

TOO_LONG = _l("Use at most %(max)d characters.")


class IdempotentForm(PortalForm):
    """A form whose submission the service recognises when repeated (a double click, a
    reload): the key is drawn when the form is shown and sent as Idempotency-Key."""

    idempotency_key = HiddenField()

    def new_key(self) -> None:
        self.idempotency_key.data = str(uuid.uuid4())


class LicenseRequestForm(IdempotentForm):
    offer_id = SelectField(
        _l("Offer"), validators=[DataRequired(message=_l("Choose an offer."))], choices=[]
    )
    version_range = StringField(
        _l("Versions covered"),
        validators=[Optional(), Length(max=200, message=TOO_LONG)],
    )
    project_name = StringField(
        _l("Project"),
        validators=[
            DataRequired(message=_l("Name the project the core is for.")),
            Length(max=200, message=TOO_LONG),
        ],
    )
    intended_use = TextAreaField(
        _l("Intended use"),
        validators=[
            DataRequired(message=_l("Say what the core will be used for.")),
            Length(max=2000, message=TOO_LONG),
        ],
    )
    end_use_country = SelectField(
        _l("End-use country"),
        validators=[DataRequired(message=_l("Choose the country where the chip will be used."))],
        choices=[],
    )
    volume = IntegerField(
        _l("Expected volume (chips)"),
        validators=[
            Optional(),
            NumberRange(min=1, max=10**12, message=_l("A whole number from 1 to a trillion.")),
        ],
    )
    details = TextAreaField(
        _l("Details for the vendor"), validators=[Optional(), Length(max=4000, message=TOO_LONG)]
    )

    def offer_choices(self, offers: list[dict], describe) -> None:
        self.offer_id.choices = [("", _l("Choose…"))] + [
            (o["offer_id"], describe(o)) for o in offers
        ]

    def country_choices(self) -> None:
        names = Locale.parse(i18n.current_locale()).territories
        self.end_use_country.choices = [("", _l("Choose…"))] + sorted(
            ((code, names.get(code, code)) for code in country_codes()),
            key=lambda choice: choice[1],
        )


class DeclineQuoteForm(PortalForm):
    reason = TextAreaField(
        _l("Reason (optional)"), validators=[Optional(), Length(max=2000, message=TOO_LONG)]
    )


class ActionForm(IdempotentForm):
    """Accepting a quote, placing an order, paying: no field but the CSRF token and the key."""
