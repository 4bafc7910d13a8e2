"""An IP-XACT component imported as a draft core in two steps: the file is sent to the catalog
as a dry run and what it would create is shown (VLNV, title, file sets, bus interfaces,
parameters), then the person confirms and it is imported. What is wrong with the file is said
beside the file field. Only these two routes take a body larger than a form's 64 KB."""

from __future__ import annotations

import base64
import binascii

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_babel import gettext as _

from services.portal.service_api import ApiProblem
from services.portal.vendor_core_forms import MAX_COMPONENT, ConfirmImportForm, ImportForm
from services.portal.views.common import catalog
from services.portal.views.vendor import workspace

bp = Blueprint("vendor_core_import", __name__, url_prefix="/vendor/cores/import")
bp.register_error_handler(workspace.NotAVendor, workspace.not_a_vendor)
bp.register_error_handler(ApiProblem, workspace.refused)


@bp.url_value_preprocessor
def _larger_body(endpoint, values) -> None:
    # The app's before_request (CSRFProtect) reads the form before any blueprint's
    # before_request does; URL value preprocessors run before both. The file in base64 on
    # the confirmation is a third larger than the file.
    request.max_content_length = MAX_COMPONENT * 4 // 3 + 64 * 1024


def _place() -> workspace.Workspace | None:
    place = workspace.current()
    if place is not None and not place.may("cores.change"):
        abort(404)
    return place


@bp.get("")
def upload():
    place = _place()
    if place is None:
        return workspace.to_sign_in()
    return render_template("vendor/core_import.html", place=place, form=ImportForm(formdata=None))


@bp.post("")
def preview():
    place = _place()
    if place is None:
        return workspace.to_sign_in()
    form = ImportForm()
    if form.validate_on_submit():
        xml = form.component.data.read(MAX_COMPONENT + 1)
        if len(xml) > MAX_COMPONENT:
            form.component.errors = [_("The file is larger than 2 MB.")]
        else:
            try:
                core = catalog().import_core(place.token, place.organisation_id, xml, True)
            except ApiProblem as refused:
                form.component.errors = [why_refused(refused)]
            else:
                confirm = ConfirmImportForm(
                    formdata=None, component=base64.b64encode(xml).decode("ascii")
                )
                return render_template(
                    "vendor/core_import.html", place=place, core=core, confirm=confirm
                )
    return render_template("vendor/core_import.html", place=place, form=form), 422


@bp.post("/confirm")
def confirm():
    place = _place()
    if place is None:
        return workspace.to_sign_in()
    form = ConfirmImportForm()
    upload_form = ImportForm(formdata=None)
    if form.validate_on_submit():
        try:
            xml = base64.b64decode(form.component.data, validate=True)
        except (binascii.Error, ValueError):
            xml = b""
        try:
            core = catalog().import_core(place.token, place.organisation_id, xml, False)
        except ApiProblem as refused:
            upload_form.component.errors = [why_refused(refused)]
        else:
            flash(_("Imported as a draft. Check it, add an offer, then publish it."))
            return redirect(f"/vendor/cores/{core['id']}{place.query}", 303)
    else:
        upload_form.form_errors.append(_("Choose the file again."))
    return render_template("vendor/core_import.html", place=place, form=upload_form), 422


def why_refused(refused: ApiProblem) -> str:
    """What is wrong with the file, in the page's language, with the catalog's own words on
    the XML (they name the element, line and column)."""
    detail = " ".join(m for messages in refused.errors.values() for m in messages)
    detail = detail or refused.detail
    if refused.status == 409:
        return _("A core with this VLNV exists already: %(detail)s", detail=detail)
    if refused.status == 403:
        return _("The catalog refused it: %(detail)s", detail=detail)
    if refused.status == 413:
        return _("The file is larger than the catalog takes.")
    if "body" in refused.errors:
        return _("This file is not well-formed XML. The catalog says: %(detail)s", detail=detail)
    return _(
        "This is not an IP-XACT component the catalog can import. The catalog says: %(detail)s",
        detail=detail,
    )
