"""The request-for-IP form: what a person asks the vendors of a category for when a search
finds nothing (POST /v1/ip-requests). Bounds as the catalog's (domain/ip_requests.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from services.portal.labels import label
from services.portal.portal_form import PortalForm
from shared import vocabulary

MIN_DESCRIPTION, MAX_DESCRIPTION, MAX_CODE = 20, 2000, 64
AT_MOST = _l("Use at most %(max)d characters.")


class IpRequestForm(PortalForm):
    category = SelectField(
        _l("Category"),
        validators=[DataRequired(message=_l("Choose the category."))],
        validate_choice=True,
    )
    description = TextAreaField(
        _l("What do you need?"),
        validators=[
            DataRequired(message=_l("Say what you need.")),
            Length(
                min=MIN_DESCRIPTION,
                max=MAX_DESCRIPTION,
                message=_l("Use %(min)d to %(max)d characters."),
            ),
        ],
    )
    node = StringField(
        _l("Process node (optional)"),
        validators=[Optional(), Length(max=MAX_CODE, message=AT_MOST)],
    )
    foundry = StringField(
        _l("Foundry (optional)"), validators=[Optional(), Length(max=MAX_CODE, message=AT_MOST)]
    )
    contact_name = StringField(
        _l("Your name"),
        validators=[DataRequired(message=_l("Enter your name.")), Length(max=200, message=AT_MOST)],
    )
    contact_email = EmailField(
        _l("Your e-mail address"),
        validators=[
            DataRequired(message=_l("Enter your e-mail address.")),
            Length(max=254, message=AT_MOST),
            Regexp(r"^[^@\s]+@[^@\s]+$", message=_l("Enter an address such as name@example.com.")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [("", "—")] + [
            (code, label("category", code)) for code in vocabulary.CATEGORY
        ]

    def body(self) -> dict:
        """The request as POST /v1/ip-requests takes it."""
        return {
            "category": self.category.data,
            "description": self.description.data.strip(),
            "node": (self.node.data or "").strip() or None,
            "foundry": (self.foundry.data or "").strip() or None,
            "contact_name": self.contact_name.data.strip(),
            "contact_email": self.contact_email.data.strip(),
        }
