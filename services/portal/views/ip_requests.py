"""A request for IP: when a search finds nothing, the results offer this form; it goes to the
vendors publishing cores in the chosen category (POST /v1/ip-requests). Anyone may read it;
a visitor signs in to send it, and a signed-in person finds their name and address filled in."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, redirect, render_template, request

from services.portal import refusals, signed_in
from services.portal.catalog_api import ApiProblem
from services.portal.ip_request_forms import IpRequestForm
from services.portal.views.common import catalog, credential

bp = Blueprint("ip_requests", __name__)


@bp.route("/ip-requests", methods=["GET", "POST"])
def ip_request():
    person = signed_in.person()
    if request.method == "GET":
        return _shown(_prefilled(person))
    if person is None:
        return redirect(f"/sign-in?next={quote('/ip-requests')}", 303)
    form = IpRequestForm()
    if not form.validate_on_submit():
        return _shown(form)
    try:
        sent = catalog().request_ip(form.body(), credential())
    except ApiProblem as refused:
        refusals.place(refused, form, "description")
        return _shown(form)
    return render_template("ip_request.html", form=None, sent=sent)


def _prefilled(person: dict | None) -> IpRequestForm:
    """What the search was for, and who asks (the signed-in person)."""
    data = {
        "category": request.args.get("category", ""),
        "description": request.args.get("q", ""),
        "contact_name": (person or {}).get("name_en") or "",
        "contact_email": (person or {}).get("email") or "",
    }
    return IpRequestForm(formdata=None, data=data)


def _shown(form):
    signed = signed_in.person() is not None
    status = 422 if request.method == "POST" else 200
    return render_template("ip_request.html", form=form, signed_in=signed), status
