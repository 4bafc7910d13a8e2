"""A core's offers after they are added: changing one and removing one. The catalog holds the
offers in the core (PATCH /v1/cores/<id> with the whole list, an offer keeping its offer_id
when changed, one left out is removed) and tells licensing with the core's next
`core.updated`; requests already made and quotes already sent keep the terms they were made
on. The catalog refuses removing the last offer of a published core, and its refusal is shown."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template
from flask_babel import gettext as _

from services.portal.service_api import ApiProblem
from services.portal.vendor_core_forms import ActionOnlyForm, OfferForm, offer_from
from services.portal.views.common import catalog
from services.portal.views.vendor import workspace
from services.portal.views.vendor.cores import _beside, _core_page, _offer_choices, _place

bp = Blueprint("vendor_core_offers", __name__, url_prefix="/vendor/cores")
bp.register_error_handler(workspace.NotAVendor, workspace.not_a_vendor)
bp.register_error_handler(ApiProblem, workspace.refused)


def _offer_of(core: dict, offer_id: str) -> dict:
    offer = next((o for o in core["offers"] if o["offer_id"] == offer_id), None)
    if offer is None or core["status"] == "withdrawn":
        abort(404)
    return offer


@bp.route("/<core_id>/offers/<offer_id>", methods=["GET", "POST"])
def edit_offer(core_id: str, offer_id: str):
    place = _place("offers.change")
    if place is None:
        return workspace.to_sign_in()
    found = catalog().own_core(place.token, place.organisation_id, core_id)
    if found["vendor_id"] != place.organisation_id:
        abort(404)
    offer = _offer_of(found, offer_id)
    price = offer.get("price") or {}
    data = {
        "kind": offer["kind"],
        "amount": price.get("amount") or "",
        "currency": price.get("currency"),
        "on_request": offer["on_request"],
        "term_months": str(offer["term_months"] or ""),
        "requires_approval": offer["requires_approval"],
    }
    form = _offer_choices(OfferForm(data=data))
    if form.validate_on_submit():
        offers = [offer_from(form, o) if o is offer else o for o in found["offers"]]
        try:
            catalog().change_core(
                place.token, place.organisation_id, core_id, found["version"], {"offers": offers}
            )
        except ApiProblem as refused:
            _beside(refused, form, {"offers": "amount"})
        else:
            flash(_("The offer is changed."))
            return redirect(f"/vendor/cores/{core_id}{place.query}#offers", 303)
    status = 422 if form.is_submitted() else 200
    page = render_template(
        "vendor/offer_form.html", place=place, core=found, offer=offer, form=form
    )
    return page, status


@bp.post("/<core_id>/offers/<offer_id>/remove")
def remove_offer(core_id: str, offer_id: str):
    place = _place("offers.change")
    if place is None:
        return workspace.to_sign_in()
    form = ActionOnlyForm(prefix=f"remove-{offer_id}")
    if not form.validate_on_submit():
        return _core_page(place, core_id, refusal=_("Try again.")), 422
    found = catalog().own_core(place.token, place.organisation_id, core_id)
    if found["vendor_id"] != place.organisation_id:
        abort(404)
    _offer_of(found, offer_id)
    offers = [o for o in found["offers"] if o["offer_id"] != offer_id]
    try:
        catalog().change_core(
            place.token, place.organisation_id, core_id, found["version"], {"offers": offers}
        )
    except ApiProblem as refused:
        if "offers" in refused.errors:
            refusal = _("A published core keeps at least one offer: add another one first.")
        else:
            refusal = workspace.refusal(refused)
        return _core_page(place, core_id, refusal=refusal), 422
    flash(
        _("The offer is removed. Requests already made and quotes already sent keep their terms.")
    )
    return redirect(f"/vendor/cores/{core_id}{place.query}#offers", 303)
