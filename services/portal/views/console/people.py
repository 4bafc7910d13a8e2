"""The platform's people for operators: everyone (found by e-mail address), one person with
their memberships and platform roles, and the form that changes the roles (the catalog keeps
the last operator one, and tells every service)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request
from flask_babel import gettext as _

from services.portal.console_forms import PeopleSearchForm, PlatformRolesForm
from services.portal.service_api import ApiProblem
from services.portal.views.common import catalog
from services.portal.views.console import bp
from services.portal.views.console.access import OPERATOR, console_page


@bp.get("/people")
@console_page(OPERATOR)
def people():
    form = PeopleSearchForm(request.args)
    if not form.validate():
        return render_template("console/people.html", form=form, people=[], next=None), 422
    email = (form.email.data or "").strip() or None
    page = catalog().people(g.token, email=email, cursor=request.args.get("cursor") or None)
    return render_template(
        "console/people.html", form=form, people=page["items"], next=page.get("next"), email=email
    )


@bp.route("/people/<person_id>", methods=["GET", "POST"])
@console_page(OPERATOR)
def person(person_id: str):
    form = PlatformRolesForm()
    if form.validate_on_submit():
        try:
            catalog().set_platform_roles(person_id, form.roles(), g.token)
        except ApiProblem as refused:
            if refused.status not in (409, 422):
                raise
            form.operator.errors = [
                _("The platform's last operator stays one: make another operator first.")
                if refused.status == 409
                else _("The catalog did not accept these roles.")
            ]
        else:
            flash(_("The platform roles are saved: every service applies them within seconds."))
            return redirect(f"/console/people/{person_id}", 303)
    found = catalog().person(person_id, g.token)
    if request.method == "GET":
        form = PlatformRolesForm(
            formdata=None,
            operator="operator" in found["platform_roles"],
            export_reviewer="export_reviewer" in found["platform_roles"],
        )
    status = 422 if request.method == "POST" else 200
    return render_template("console/person.html", someone=found, form=form), status
