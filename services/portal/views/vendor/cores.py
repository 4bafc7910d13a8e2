"""The vendor's cores: by state, a core's page with its versions and offers, drafting one,
changing it, adding an offer, and its lifecycle (publish, deprecate, withdraw: the catalog's
services/catalog/domain/lifecycle.py). Reading is every member's; changing is for the owner
and publishers (shared/roles.py). The catalog decides, and its refusal is shown."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from services.portal.labels import label
from services.portal.service_api import ApiProblem
from services.portal.vendor_core_forms import (
    ActionOnlyForm,
    CoreDescriptionForm,
    DraftCoreForm,
    OfferForm,
    offer_from,
)
from services.portal.views.common import catalog
from services.portal.views.vendor import workspace

bp = Blueprint("vendor_cores", __name__, url_prefix="/vendor/cores")
bp.register_error_handler(workspace.NotAVendor, workspace.not_a_vendor)
bp.register_error_handler(ApiProblem, workspace.refused)
STATUSES = ("draft", "published", "deprecated", "withdrawn", "all")
# transition → the statuses it leads from (the catalog's lifecycle)
TRANSITIONS = {
    "publish": ("draft",),
    "deprecate": ("published",),
    "withdraw": ("published", "deprecated"),
}
DONE = {
    "publish": _l("Published: licensees find it in the storefront."),
    "deprecate": _l("Deprecated."),
    "withdraw": _l("Withdrawn."),
}
# What publishing needs, by the field the catalog names (lifecycle.check_publishable).
MISSING = {
    "category": _l("Choose a category before publishing."),
    "eccn": _l("Give the export-control classification (ECCN) before publishing."),
    "deliverable_kinds": _l("Name the deliverables before publishing."),
    "offers": _l("Add at least one license offer before publishing."),
}
DESCRIPTION = ("title_en", "title_zh", "description_en", "description_zh", "category", "eccn")


def _place(action: str = "cores.read_drafts") -> workspace.Workspace | None:
    place = workspace.current()
    if place is not None and not place.may(action):
        abort(404)  # the page or form is not for this person's roles
    return place


@bp.get("")
def cores():
    place = _place()
    if place is None:
        return workspace.to_sign_in()
    state = request.args.get("state", "all")
    state = state if state in STATUSES else "all"
    found = catalog().own_cores(
        place.token, place.organisation_id, None if state == "all" else state
    )
    items = [c for c in found["items"] if c["vendor_id"] == place.organisation_id]
    return render_template(
        "vendor/cores.html", place=place, items=items, state=state, states=STATUSES
    )


@bp.route("/new", methods=["GET", "POST"])
def draft():
    place = _place("cores.change")
    if place is None:
        return workspace.to_sign_in()
    form = _choices(DraftCoreForm())
    if form.validate_on_submit():
        fields = {
            "vlnv": {p: getattr(form, f"vlnv_{p}").data.strip() for p in VLNV},
            **_description(form),
        }
        try:
            core = catalog().draft_core(place.token, place.organisation_id, fields)
        except ApiProblem as refused:
            _beside(refused, form)
        else:
            flash(_("The draft is saved. Add an offer, then publish it."))
            return redirect(f"/vendor/cores/{core['id']}{place.query}", 303)
    status = 422 if form.is_submitted() else 200
    return render_template("vendor/core_form.html", place=place, form=form, core=None), status


VLNV = ("vendor", "library", "name", "version")


@bp.get("/<core_id>")
def core(core_id: str):
    place = _place()
    if place is None:
        return workspace.to_sign_in()
    return _core_page(place, core_id)


@bp.route("/<core_id>/edit", methods=["GET", "POST"])
def edit(core_id: str):
    place = _place("cores.change")
    if place is None:
        return workspace.to_sign_in()
    found = catalog().own_core(place.token, place.organisation_id, core_id)
    if request.method == "GET":
        data = {name: found.get(name) or "" for name in DESCRIPTION}
        form = _choices(
            CoreDescriptionForm(data=data | {"deliverable_kinds": found["deliverable_kinds"]})
        )
    else:
        form = _choices(CoreDescriptionForm())
    if form.validate_on_submit():
        try:
            catalog().change_core(
                place.token, place.organisation_id, core_id, found["version"], _description(form)
            )
        except ApiProblem as refused:
            _beside(refused, form)
        else:
            flash(_("Saved."))
            return redirect(f"/vendor/cores/{core_id}{place.query}", 303)
    status = 422 if form.is_submitted() else 200
    return render_template("vendor/core_form.html", place=place, form=form, core=found), status


@bp.post("/<core_id>/offers")
def add_offer(core_id: str):
    place = _place("offers.change")
    if place is None:
        return workspace.to_sign_in()
    form = _offer_choices(OfferForm())
    if form.validate_on_submit():
        found = catalog().own_core(place.token, place.organisation_id, core_id)
        offer = offer_from(form)
        try:
            catalog().change_core(
                place.token,
                place.organisation_id,
                core_id,
                found["version"],
                {"offers": [*found["offers"], offer]},
            )
        except ApiProblem as refused:
            _beside(refused, form, {"offers": "amount"})
        else:
            flash(_("The offer is added."))
            return redirect(f"/vendor/cores/{core_id}{place.query}", 303)
    return _core_page(place, core_id, offer_form=form), 422


@bp.post("/<core_id>/<transition>")
def change_status(core_id: str, transition: str):
    place = _place("cores.publish")
    if place is None:
        return workspace.to_sign_in()
    if transition not in TRANSITIONS:
        abort(404)
    form = ActionOnlyForm(prefix=transition)
    refusal = None
    if form.validate_on_submit():
        try:
            catalog().change_core_status(place.token, place.organisation_id, core_id, transition)
        except ApiProblem as refused:
            field = next(iter(refused.errors), "")
            refusal = str(MISSING[field]) if field in MISSING else workspace.refusal(refused)
        else:
            flash(str(DONE[transition]))
            return redirect(f"/vendor/cores/{core_id}{place.query}", 303)
    return _core_page(place, core_id, refusal=refusal or _("Try again.")), 422


def _core_page(place, core_id: str, offer_form=None, refusal=None):
    found = catalog().own_core(place.token, place.organisation_id, core_id)
    if found["vendor_id"] != place.organisation_id:
        abort(404)  # another vendor's published core: the storefront shows it
    versions = catalog().own_versions(place.token, place.organisation_id, core_id)
    may_publish, may_offer = place.may("cores.publish"), place.may("offers.change")
    transitions = [
        t for t, sources in TRANSITIONS.items() if found["status"] in sources and may_publish
    ]
    if offer_form is None and may_offer and found["status"] != "withdrawn":
        offer_form = _offer_choices(OfferForm(formdata=None))
    return render_template(
        "vendor/core.html",
        place=place,
        core=found,
        versions=versions,
        transitions={t: ActionOnlyForm(formdata=None, prefix=t) for t in transitions},
        offer_form=offer_form if may_offer and found["status"] != "withdrawn" else None,
        remove_offer={
            o["offer_id"]: ActionOnlyForm(formdata=None, prefix=f"remove-{o['offer_id']}")
            for o in found["offers"]
        }
        if may_offer and found["status"] != "withdrawn"
        else {},
        may_edit=place.may("cores.change") and found["status"] != "withdrawn",
        refusal=refusal,
    )


def _choices(form):
    taxonomy = catalog().taxonomy()
    form.category.choices = [("", _("Not chosen yet"))] + [
        (code, label("category", code)) for code in taxonomy["categories"]
    ]
    form.deliverable_kinds.choices = [
        (code, label("deliverable", code)) for code in taxonomy["deliverable_kinds"]
    ]
    return form


def _offer_choices(form):
    taxonomy = catalog().taxonomy()
    form.kind.choices = [(code, label("offer", code)) for code in taxonomy["offer_kinds"]]
    form.currency.choices = [(code, code) for code in taxonomy["currencies"]]
    return form


def _description(form) -> dict:
    return {
        "title_en": form.title_en.data.strip(),
        "title_zh": (form.title_zh.data or "").strip() or None,
        "description_en": form.description_en.data or "",
        "description_zh": form.description_zh.data or None,
        "category": form.category.data or None,
        "eccn": (form.eccn.data or "").strip() or None,
        "deliverable_kinds": list(form.deliverable_kinds.data or []),
    }


def _beside(refused: ApiProblem, form, renamed: dict | None = None) -> None:
    """The catalog's refusal beside the field it names (its own words: they name the rule),
    else above the form."""
    for name, messages in refused.errors.items():
        name = (renamed or {}).get(name.split("/")[0].split(".")[0], name)
        if name == "vlnv" and hasattr(form, "vlnv_version"):
            name = "vlnv_version"
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors") and name != "csrf_token":
            field.errors = [_("The catalog refused this: %(why)s", why=" ".join(messages))]
            return
    form.form_errors.append(workspace.refusal(refused))
