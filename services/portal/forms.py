"""The portal's forms (Flask-WTF): each field's rules with messages in the page's language, and
the CSRF token every form that changes something carries."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from services.portal import i18n
from services.portal.labels import LABELS, SORTS
from services.portal.portal_form import PortalForm

MAX_QUERY = 200  # the catalog's bound on q


class SearchForm(PortalForm):
    """A GET form: reading changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Search IP cores"),
        validators=[Length(max=MAX_QUERY, message=_l("Use at most %(max)d characters."))],
    )
    sort = SelectField(
        _l("Sort by"),
        choices=[SelectChoice(s, LABELS["sort"][s]) for s in SORTS],
        validate_choice=True,
        default="relevance",
    )


class SignInForm(PortalForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(message=_l("Enter your e-mail address.")),
            Length(max=254, message=_l("Use at most %(max)d characters.")),
            Regexp(r"^[^@\s]+@[^@\s]+$", message=_l("Enter an address such as name@example.com.")),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(message=_l("Enter your password.")),
            Length(max=256, message=_l("Use at most %(max)d characters.")),
        ],
    )
    next = HiddenField()


class SecondFactorForm(PortalForm):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[
            DataRequired(message=_l("Enter the code.")),
            Length(min=6, max=16, message=_l("A code has 6 to 16 characters.")),
        ],
    )
    next = HiddenField()


class PasskeyAnswerForm(PortalForm):
    """What the browser's passkey ceremony answered (filled in by static/passkeys.js): the
    ceremony's id and the credential as JSON, for the catalog to verify."""

    ceremony_id = HiddenField(validators=[DataRequired(), Length(max=36)])
    credential = HiddenField(validators=[DataRequired(), Length(max=16000)])
    next = HiddenField()


class PasskeyEnrolForm(PasskeyAnswerForm):
    name = StringField(
        _l("Name of the passkey"),
        default="passkey",
        validators=[
            DataRequired(message=_l("Name the passkey, e.g. laptop.")),
            Length(max=100, message=_l("Use at most %(max)d characters.")),
        ],
    )


def _password(label):
    return PasswordField(
        label,
        validators=[
            DataRequired(message=_l("Choose a password.")),
            Length(max=1024, message=_l("Use at most %(max)d characters.")),
        ],
    )


class PasswordResetRequestForm(PortalForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(message=_l("Enter your e-mail address.")),
            Length(max=254, message=_l("Use at most %(max)d characters.")),
            Regexp(r"^[^@\s]+@[^@\s]+$", message=_l("Enter an address such as name@example.com.")),
        ],
    )


class NewPasswordForm(PortalForm):
    """The e-mailed link's token rides along hidden; the catalog checks it."""

    token = HiddenField(validators=[DataRequired(), Length(max=300)])
    password = _password(_l("New password"))


class AcceptInvitationForm(PortalForm):
    token = HiddenField(validators=[DataRequired(), Length(max=300)])
    name_en = StringField(
        _l("Your name in English"),
        validators=[Length(max=200, message=_l("Use at most %(max)d characters."))],
    )
    name_zh = StringField(
        _l("Your name in Chinese (optional)"),
        validators=[Length(max=200, message=_l("Use at most %(max)d characters."))],
    )
    password = PasswordField(
        _l("Password"),
        validators=[Length(max=1024, message=_l("Use at most %(max)d characters."))],
    )


class AuthenticatorCodeForm(PortalForm):
    code = StringField(
        _l("The 6-digit code the app shows now"),
        validators=[
            DataRequired(message=_l("Enter the code.")),
            Regexp(r"^\s*\d{6}\s*$", message=_l("The code has 6 digits.")),
        ],
    )
    next = HiddenField()


def _required_text(label, missing, most: int):
    return StringField(
        label,
        validators=[
            DataRequired(message=missing),
            Length(max=most, message=_l("Use at most %(max)d characters.")),
        ],
    )


class ApplicationForm(PortalForm):
    """An organisation applies to join; its country choices are set per page (their names in
    the page's language)."""

    legal_name_en = _required_text(
        _l("Legal name in English"), _l("Enter the organisation's legal name."), 200
    )
    legal_name_zh = StringField(
        _l("Legal name in Chinese (optional)"),
        validators=[Length(max=200, message=_l("Use at most %(max)d characters."))],
    )
    country = SelectField(
        _l("Country or region of registration"),
        validators=[DataRequired(message=_l("Choose the country or region."))],
        validate_choice=True,
    )
    registration_number = _required_text(
        _l("Business registration number"), _l("Enter the registration number."), 64
    )
    roles = SelectMultipleField(
        _l("The organisation joins as"),
        choices=[("vendor", _l("Vendor: sells IP cores")), ("licensee", _l("Licensee: buys"))],
        validators=[DataRequired(message=_l("Choose vendor, licensee or both."))],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    contact_name = _required_text(_l("Your name"), _l("Enter your name."), 200)
    contact_email = EmailField(
        _l("Your e-mail address"),
        validators=[
            DataRequired(message=_l("Enter your e-mail address.")),
            Length(max=254, message=_l("Use at most %(max)d characters.")),
            Regexp(r"^[^@\s]+@[^@\s]+$", message=_l("Enter an address such as name@example.com.")),
        ],
    )


class LanguageForm(PortalForm):
    locale = SelectField(
        _l("Language"),
        choices=[SelectChoice(code, i18n.language_name(code)) for code in i18n.LOCALES],
        validate_choice=True,
    )
    next = HiddenField()


class SettingsForm(PortalForm):
    """The person's own language and time zone; "" is the organisation's. The catalog judges
    the values (a refusal is shown beside its field), so the choices are not checked here."""

    locale = SelectField(_l("Language"), validate_choice=False)
    timezone = SelectField(_l("Time zone"), validate_choice=False)

    def offer_choices(self) -> None:
        default = SelectChoice("", _l("Your organisation's"))
        self.locale.choices = [default] + [
            SelectChoice(code.replace("_", "-"), i18n.language_name(code)) for code in i18n.LOCALES
        ]
        self.timezone.choices = [default] + [SelectChoice(n, n) for n in i18n.time_zone_names()]


class SignOutForm(PortalForm):
    """Only its CSRF token: signing out is a POST that another site cannot make for you."""


def field_attributes(field, autocomplete: str | None = None, hint: bool = False) -> dict:
    """The attributes that tie a field to its hint and error for screen readers."""
    described = [f"{field.id}-hint"] * hint + [f"{field.id}-error"] * bool(field.errors)
    attributes = {"autocomplete": autocomplete} if autocomplete else {}
    if described:
        attributes["aria-describedby"] = " ".join(described)
    if field.errors:
        attributes["aria-invalid"] = "true"
    return attributes
