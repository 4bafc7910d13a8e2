"""The forms of the vendor's cores and team (Flask-WTF, with CSRF): their rules match the
catalog's own (services/catalog/schemas), so that bad input is refused beside its field, in the
page's language, before any call. Choices from the catalog's vocabulary are set per page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from services.portal.portal_form import PortalForm
from shared import roles

_TOO_LONG = _l("Use at most %(max)d characters.")
_VLNV_PART = r"^[A-Za-z0-9_.\-]+$"  # the catalog's VLNV_PART
_VLNV_MESSAGE = _l("Use letters, digits, '_', '.' and '-' only.")
MAX_COMPONENT = 2 * 1024 * 1024  # an IP-XACT component is a few hundred kilobytes at most


def _vlnv_part(label, required_message, max_length: int):
    return StringField(
        label,
        validators=[
            DataRequired(message=required_message),
            Length(max=max_length, message=_TOO_LONG),
            Regexp(_VLNV_PART, message=_VLNV_MESSAGE),
        ],
    )


def _checkboxes(label, required_message=None):
    return SelectMultipleField(
        label,
        validators=[DataRequired(message=required_message)] if required_message else [Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class CoreDescriptionForm(PortalForm):
    """What a core says of itself; the whole of it may change while it is a draft."""

    title_en = StringField(
        _l("Title in English"),
        validators=[DataRequired(message=_l("Give the core a title.")), Length(max=300)],
    )
    title_zh = StringField(
        _l("Title in Chinese (optional)"), validators=[Length(max=300, message=_TOO_LONG)]
    )
    description_en = TextAreaField(
        _l("Description in English"), validators=[Length(max=20000, message=_TOO_LONG)]
    )
    description_zh = TextAreaField(
        _l("Description in Chinese (optional)"), validators=[Length(max=20000, message=_TOO_LONG)]
    )
    category = SelectField(_l("Category"), validate_choice=True)
    eccn = StringField(
        _l("Export-control classification (ECCN)"),
        validators=[
            Optional(),
            Regexp(
                r"^(EAR99|[0-9][A-E][0-9]{3}[a-z0-9.]{0,3})$",
                message=_l("Enter an ECCN such as EAR99 or 3E001."),
            ),
        ],
    )
    deliverable_kinds = _checkboxes(_l("Deliverables"))


class DraftCoreForm(CoreDescriptionForm):
    vlnv_vendor = _vlnv_part(_l("VLNV vendor"), _l("Enter your VLNV vendor name."), 128)
    vlnv_library = _vlnv_part(_l("VLNV library"), _l("Enter the library."), 128)
    vlnv_name = _vlnv_part(_l("VLNV name"), _l("Enter the core's name."), 128)
    vlnv_version = _vlnv_part(_l("Version"), _l("Enter the version, such as 1.0."), 64)


class ImportForm(PortalForm):
    component = FileField(
        _l("IP-XACT component file (.xml)"),
        validators=[FileRequired(message=_l("Choose the IP-XACT file to import."))],
    )


class ConfirmImportForm(PortalForm):
    """The previewed file again, base64 in a hidden field: the person confirms what was shown."""

    component = HiddenField(validators=[DataRequired()])


class OfferForm(PortalForm):
    kind = SelectField(_l("Kind of license"), validate_choice=True)
    amount = StringField(
        _l("Price (leave empty for an evaluation or a price on request)"),
        validators=[
            Optional(),
            Regexp(
                r"^[0-9]{1,13}(\.[0-9]{1,2})?$", message=_l("Enter an amount such as 25000.00.")
            ),
        ],
    )
    currency = SelectField(_l("Currency"), validate_choice=True)
    on_request = BooleanField(_l("Price on request (the vendor quotes)"))
    term_months = StringField(
        _l("Term in months (optional)"),
        validators=[
            Optional(),
            Regexp(r"^[1-9][0-9]{0,2}$", message=_l("Enter a number of months from 1 to 600.")),
        ],
    )
    requires_approval = BooleanField(_l("Each request needs our approval"), default=True)


def offer_from(form: OfferForm, kept: dict | None = None) -> dict:
    """The offer the form describes; `kept`: the offer it changes (its id, seats, royalty)."""
    return {
        **(kept or {}),
        "kind": form.kind.data,
        "on_request": form.on_request.data,
        "requires_approval": form.requires_approval.data,
        "price": (
            {"amount": form.amount.data, "currency": form.currency.data}
            if form.amount.data
            else None
        ),
        "term_months": int(form.term_months.data) if form.term_months.data else None,
    }


class ActionOnlyForm(PortalForm):
    """Only its CSRF token: publish, deprecate, withdraw; remove a member."""


class InviteForm(PortalForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(message=_l("Enter the e-mail address.")),
            Length(max=254, message=_TOO_LONG),
            Regexp(
                r"^[^@\s]+@[^@\s]+\.[^@\s.]+$",
                message=_l("Enter an address such as name@example.com."),
            ),
        ],
    )
    roles = _checkboxes(_l("Roles"), _l("Choose at least one role."))


class RolesForm(PortalForm):
    roles = _checkboxes(_l("Roles"), _l("Choose at least one role."))


class SecondFactorRequirementForm(PortalForm):
    required = BooleanField(_l("Every member signs in with a second factor"))


ROLE_CHOICES = roles.ORGANISATION_ROLES
