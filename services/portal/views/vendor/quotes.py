"""The quotes asked of the vendor (offers priced "on request"), by state, and a quote's page
where an approver prices it and sends it: amount and currency (USD, CNY, HKD), the day it holds
until and its terms; a sent quote may be revised until the licensee answers. Or the approver
rejects it with a reason the licensee is told (the vendor will not quote). Licensing decides
(services/licensing/domain/quotes.py); its refusals show beside the field they name."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request
from flask_babel import gettext as _

from services.portal import signed_in
from services.portal.service_api import ApiProblem
from services.portal.vendor_forms import QuotePriceForm, RejectQuoteForm
from services.portal.views.common import licensing
from services.portal.views.vendor import workspace

bp = Blueprint("vendor_quotes", __name__, url_prefix="/vendor/quotes")
bp.register_error_handler(workspace.NotAVendor, workspace.not_a_vendor)
bp.register_error_handler(ApiProblem, workspace.refused)
QUOTE_STATES = ("requested", "sent", "accepted", "declined", "rejected")
DEFAULT_STATE = "requested"
SENDABLE = ("requested", "sent")


@bp.get("")
def quotes():
    place = workspace.current()
    if place is None:
        return workspace.to_sign_in()
    state = request.args.get("state", DEFAULT_STATE)
    if state not in QUOTE_STATES and state != "all":
        state = DEFAULT_STATE
    answer = licensing().quotes_to_price(
        place.token, place.organisation_id, None if state == "all" else state
    )
    return render_template(
        "vendor/quotes.html",
        place=place,
        state=state,
        states=(*QUOTE_STATES, "all"),
        items=answer["items"],
    )


@bp.get("/<quote_id>")
def quote(quote_id: str):
    place = workspace.current()
    if place is None:
        return workspace.to_sign_in()
    found = licensing().quote_to_price(place.token, place.organisation_id, quote_id)
    return _page(place, found, _form_for(found))


@bp.post("/<quote_id>/send")
def send(quote_id: str):
    place = workspace.current()
    if place is None:
        return workspace.to_sign_in()
    if not place.may("quotes.decide"):
        abort(404)
    form = QuotePriceForm()
    if form.validate_on_submit() and _in_future(form):
        body = {
            "amount": form.amount.data,
            "currency": form.currency.data,
            "terms": form.terms.data,
            "valid_until": _end_of(form.valid_until.data).isoformat(),
        }
        try:
            licensing().send_quote(place.token, place.organisation_id, quote_id, body)
        except ApiProblem as refused:
            _beside(refused, form)
        else:
            flash(_("The quote is sent to the licensee."))
            return redirect(f"/vendor/quotes/{quote_id}{place.query}", 303)
    found = licensing().quote_to_price(place.token, place.organisation_id, quote_id)
    return _page(place, found, form), 422


@bp.post("/<quote_id>/reject")
def reject(quote_id: str):
    place = workspace.current()
    if place is None:
        return workspace.to_sign_in()
    if not place.may("quotes.decide"):
        abort(404)
    form = RejectQuoteForm(prefix="reject")
    if form.validate_on_submit():
        try:
            licensing().reject_quote(
                place.token, place.organisation_id, quote_id, form.reason.data.strip()
            )
        except ApiProblem as refused:
            if "reason" in refused.errors:
                form.reason.errors = [_("This value is not accepted.")]
            else:
                form.form_errors.append(workspace.refusal(refused))
        else:
            flash(_("The quote request is rejected; the licensee is told why."))
            return redirect(f"/vendor/quotes/{quote_id}{place.query}", 303)
    found = licensing().quote_to_price(place.token, place.organisation_id, quote_id)
    return _page(place, found, _form_for(found), form), 422


def _form_for(found: dict) -> QuotePriceForm | None:
    if found["state"] not in SENDABLE:
        return None
    price = found.get("price") or {}
    valid_until = (found.get("valid_until") or "")[:10]
    return QuotePriceForm(
        formdata=None,
        amount=price.get("amount"),
        currency=price.get("currency", "USD"),
        valid_until=valid_until,
        terms=found.get("terms"),
    )


def _end_of(day: str) -> datetime:
    """The quote holds until the end of that day where the person is."""
    return datetime.combine(datetime.fromisoformat(day).date(), time(23, 59, 59)).replace(
        tzinfo=ZoneInfo((signed_in.person() or {}).get("timezone") or "UTC")
    )


def _in_future(form: QuotePriceForm) -> bool:
    try:
        until = _end_of(form.valid_until.data)
    except ValueError:
        form.valid_until.errors = [_("Enter a date such as 2027-01-31.")]
        return False
    if until <= current_app.extensions["portal_clock"]():
        form.valid_until.errors = [_("Choose a day after today.")]
        return False
    return True


def _beside(refused: ApiProblem, form: QuotePriceForm) -> None:
    """The service's refusal beside the field it names, else above the form."""
    for name in ("amount", "currency", "valid_until", "terms"):
        if name in refused.errors:
            getattr(form, name).errors = [_("This value is not accepted.")]
            return
    form.form_errors.append(workspace.refusal(refused))


def _page(
    place: workspace.Workspace,
    found: dict,
    form: QuotePriceForm | None,
    reject_form: RejectQuoteForm | None = None,
):
    deciding = place.may("quotes.decide") and found["state"] in SENDABLE
    if reject_form is None and deciding:
        reject_form = RejectQuoteForm(formdata=None, prefix="reject")
    return render_template(
        "vendor/quote.html",
        place=place,
        quote=found,
        form=form if place.may("quotes.decide") else None,
        reject_form=reject_form if deciding else None,
    )
