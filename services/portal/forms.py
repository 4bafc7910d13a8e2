"""The portal's forms (Flask-WTF): each field's rules with messages in the page's language, and
the CSRF token every form that changes something carries."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp

from services.portal import i18n
from services.portal.labels import LABELS, SORTS

MAX_QUERY = 200  # the catalog's bound on q


class SearchForm(FlaskForm):
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


class SignInForm(FlaskForm):
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


class SecondFactorForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[
            DataRequired(message=_l("Enter the code.")),
            Length(min=6, max=16, message=_l("A code has 6 to 16 characters.")),
        ],
    )
    next = HiddenField()


class LanguageForm(FlaskForm):
    locale = SelectField(
        _l("Language"),
        choices=[SelectChoice(code, i18n.language_name(code)) for code in i18n.LOCALES],
        validate_choice=True,
    )
    next = HiddenField()


class SignOutForm(FlaskForm):
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
