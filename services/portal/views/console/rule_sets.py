"""The export-screening rule sets: the version in force, the history, one version with what it
changed, and a new version (edited as text, previewed as a diff, then published)."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from services.portal.console_forms import RuleSetForm
from services.portal.domain import rule_text
from services.portal.service_api import ApiProblem
from services.portal.views.common import licensing
from services.portal.views.console import bp
from services.portal.views.console.access import OPERATOR, console_page

HISTORY = 10  # versions listed before the current one
COLUMN_NAMES = {
    "rule_id": _l("rule id"),
    "eccn": _l("ECCN"),
    "destinations": _l("destinations"),
    "outcome": _l("outcome"),
    "reason_code": _l("reason code"),
}


@bp.get("/rules")
@console_page(OPERATOR)
def current_rules():
    current = licensing().current_rule_set(g.token)
    history = [_version(v) for v in range(current["version"] - 1, 0, -1)[:HISTORY]]
    return _version_page(current, history=[v for v in history if v])


@bp.get("/rules/<int:version>")
@console_page(OPERATOR)
def rules_version(version: int):
    rule_set = _version(version)
    if rule_set is None:
        abort(404)
    return _version_page(rule_set)


@bp.route("/rules/new", methods=["GET", "POST"])
@console_page(OPERATOR)
def new_rules():
    current = licensing().current_rule_set(g.token)
    form = RuleSetForm()
    if request.method == "GET":
        form.rules.data = rule_text.rules_text(current["rules"])
        form.embargoed.data = ", ".join(current["embargoed"])
        form.based_on.data = str(current["version"])
        return _edit_page(form, current, None)
    parsed = rule_text.parse_rules(form.rules.data or "")
    proposed = {
        "rules": parsed.rules,
        "embargoed": rule_text.parse_countries(form.embargoed.data or ""),
    }
    valid = form.validate_on_submit() & _lines_read(form, parsed)
    if not valid or request.form.get("action") != "publish":
        changes = rule_text.diff(current, proposed)
        return _edit_page(form, current, changes, 200 if valid else 422)
    body = {
        **proposed,
        "based_on": int(form.based_on.data or current["version"]),
        "comment": form.comment.data.strip(),
    }
    try:
        published = licensing().publish_rule_set(body, g.token)
    except ApiProblem as refused:
        _place(refused, form, parsed)
        return _edit_page(form, current, rule_text.diff(current, proposed), 422)
    return redirect(f"/console/rules/{published['version']}", 303)


def _version(version: int) -> dict | None:
    try:
        return licensing().rule_set(version, g.token)
    except ApiProblem as refused:
        if refused.status == 404:
            return None
        raise


def _version_page(rule_set: dict, history: list[dict] | None = None):
    previous = _version(rule_set["version"] - 1) if rule_set["version"] > 1 else None
    return render_template(
        "console/rule_set.html",
        rule_set=rule_set,
        changes=rule_text.diff(previous, rule_set),
        previous=previous,
        history=history,
    )


def _edit_page(form: RuleSetForm, current: dict, changes, status: int = 200):
    return render_template(
        "console/rule_set_new.html", form=form, current=current, changes=changes
    ), status


def _lines_read(form: RuleSetForm, parsed: rule_text.ParsedRules) -> bool:
    if parsed.errors:
        form.rules.errors = list(form.rules.errors) + [
            _(
                "Line %(line)d has %(found)d columns: a rule has five (rule id, ECCN, "
                "destinations, outcome, reason code).",
                line=line,
                found=found,
            )
            for line, found in parsed.errors
        ]
    elif not parsed.rules:
        form.rules.errors = list(form.rules.errors) + [_("Write at least one rule.")]
    return not form.rules.errors


def _place(refused: ApiProblem, form: RuleSetForm, parsed: rule_text.ParsedRules) -> None:
    """The licensing service's refusal beside the field (and line) it is about."""
    if refused.status == 409:
        form.rules.errors = [
            _("The rule set changed since this page was opened: start again from the new version.")
        ]
        return
    for path in refused.errors:
        at = rule_text.rule_error_line(path, parsed.lines)
        if at is not None:
            line, column = at
            form.rules.errors.append(
                _(
                    "Line %(line)d: the %(column)s is not accepted.",
                    line=line,
                    column=COLUMN_NAMES.get(column, column),
                )
                if column
                else _("Line %(line)d is not accepted.", line=line)
            )
        elif path.startswith("embargoed"):
            form.embargoed.errors = [_("Use two-letter country codes, such as KP.")]
        elif path == "comment":
            form.comment.errors = [_("The licensing service did not accept this comment.")]
        elif path == "rules":
            form.rules.errors.append(_("Each rule needs its own rule id."))
    if not (form.rules.errors or form.embargoed.errors or form.comment.errors):
        form.rules.errors = [_("The licensing service did not accept this rule set.")]
