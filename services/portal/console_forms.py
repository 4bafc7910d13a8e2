"""The operator console's forms (Flask-WTF, with CSRF): the bounds are the services' own, so
that most bad input is answered here in the page's language before a service is asked; what only
a service can judge comes back beside the same field (views/console)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Regexp, ValidationError

from services.portal.portal_form import PortalForm

MAX_COMMENT = 2000  # licensing's and the catalog's bound on a comment or reason
TOO_LONG = _l("Use at most %(max)d characters.")


class ReviewForm(PortalForm):
    """An export reviewer's decision on a request that screening sent to review."""

    outcome = RadioField(
        _l("Decision"),
        choices=[("allow", _l("Clear: the export may go ahead")), ("deny", _l("Deny"))],
        validators=[InputRequired(message=_l("Choose clear or deny."))],
    )
    comment = TextAreaField(
        _l("Comment (the licensee and the vendor see it)"),
        validators=[
            DataRequired(message=_l("Write a comment: it is kept with the decision.")),
            Length(max=MAX_COMMENT, message=TOO_LONG),
        ],
    )


class ApplicationDecisionForm(PortalForm):
    application_id = StringField(
        _l("Application id"),
        validators=[
            DataRequired(message=_l("Enter the application's id.")),
            Length(max=64, message=TOO_LONG),
            Regexp(r"^[A-Za-z0-9_-]+$", message=_l("An id has letters, digits, - and _ only.")),
        ],
    )
    decision = RadioField(
        _l("Decision"),
        choices=[("approve", _l("Approve")), ("decline", _l("Decline"))],
        validators=[InputRequired(message=_l("Choose approve or decline."))],
    )
    reason = TextAreaField(
        _l("Reason (the applicant is told it)"),
        validators=[Length(max=MAX_COMMENT, message=TOO_LONG)],
    )

    def validate_reason(self, field):
        if self.decision.data == "decline" and not (field.data or "").strip():
            raise ValidationError(_l("Give the applicant the reason for declining."))


class RuleSetForm(PortalForm):
    """A new version of the screening rule table, on the version in force (`based_on`)."""

    rules = TextAreaField(
        _l("Rules, one a line, the first that matches decides"),
        validators=[Length(max=200_000, message=TOO_LONG)],
    )
    embargoed = StringField(
        _l("Embargoed destinations (country codes)"),
        validators=[Length(max=1200, message=TOO_LONG)],
    )
    comment = StringField(
        _l("What changes and why"),
        validators=[
            DataRequired(message=_l("Say what this version changes.")),
            Length(max=500, message=TOO_LONG),
        ],
    )
    based_on = HiddenField()


class PeopleSearchForm(PortalForm):
    """?email= of the people list (a GET: nothing changes, so no CSRF)."""

    class Meta:
        csrf = False

    email = StringField(
        _l("E-mail address contains"),
        validators=[Length(max=254, message=TOO_LONG)],
    )


class PlatformRolesForm(PortalForm):
    """All of a person's platform roles from now on (none ticked: none)."""

    operator = BooleanField(_l("Platform operator"))
    export_reviewer = BooleanField(_l("Export reviewer"))

    def roles(self) -> list[str]:
        return [name for name in ("operator", "export_reviewer") if getattr(self, name).data]
