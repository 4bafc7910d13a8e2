"""The licensee's workspace, part one: asking for a license (or, for an offer priced on
request, a quote), the person's requests with their state, and quotes to accept or decline.
Everything is read from and done through the licensing API with the person's token; a refusal
is shown beside its field (licensee_problems.py) and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import wraps

from babel import Locale
from flask import Blueprint, abort, g, redirect, render_template, request
from flask_babel import gettext as _

from services.portal import i18n, labels, signed_in
from services.portal.licensee_forms import ActionForm, DeclineQuoteForm, LicenseRequestForm
from services.portal.licensee_labels import word
from services.portal.licensee_problems import page_message, place
from services.portal.service_api import ApiProblem
from services.portal.views.common import catalog, credential, licensing, now

bp = Blueprint("licensee", __name__, url_prefix="/licensee")
BUYS = {"owner", "buyer"}  # shared/roles.py: who requests, asks for quotes, accepts, orders
PAYS = {"owner", "finance"}
READS_INVOICES = {"owner", "finance", "viewer"}


def signed_in_only(view):
    """The person's token in g.token, or off to sign in and back here."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.token = credential()
        if g.token is None:
            return redirect(f"/sign-in?next={request.full_path.rstrip('?')}", 303)
        return view(*args, **kwargs)

    return wrapper


def roles() -> set[str]:
    """The person's roles in their organisation (the portal acts for their only one)."""
    memberships = (signed_in.person() or {}).get("memberships", {})
    return {role for held in memberships.values() for role in held}


def found(read, *args):
    """What the API answers, or 404 when it is not there or not this person's to see."""
    try:
        return read(*args, g.token)
    except ApiProblem as refused:
        if refused.status in (403, 404, 422):
            abort(404)
        raise


@bp.get("")
@signed_in_only
def home():
    return redirect("/licensee/requests", 303)


@bp.route("/requests/new", methods=["GET", "POST"])
@signed_in_only
def new_request():
    core = found(catalog().core, request.args.get("core", ""))
    form = LicenseRequestForm()
    form.offer_choices(core["offers"], _describe_offer)
    form.country_choices()
    if request.method == "GET":
        form.offer_id.data = request.args.get("offer", "")
        form.new_key()
    problem = None
    if form.validate_on_submit():
        offer = next(o for o in core["offers"] if o["offer_id"] == form.offer_id.data)
        if offer.get("on_request") and form.volume.data is None:
            form.volume.errors = [_("Give the expected volume: the vendor prices by it.")]
        else:
            try:
                return _submit(core, offer, form)
            except ApiProblem as refused:
                problem = place(refused, form)
    status = 422 if request.method == "POST" else 200
    page = render_template(
        "licensee/request_new.html", core=core, form=form, problem=problem, may_buy=roles() & BUYS
    )
    return page, status


def _submit(core: dict, offer: dict, form: LicenseRequestForm):
    body = {
        "core_id": core["id"],
        "offer_id": offer["offer_id"],
        "project_name": form.project_name.data.strip(),
        "intended_use": form.intended_use.data.strip(),
        "end_use_country": form.end_use_country.data,
    }
    if (form.version_range.data or "").strip():
        body["version_range"] = form.version_range.data.strip()
    if offer.get("on_request"):
        body["volume"] = form.volume.data
        if (form.details.data or "").strip():
            body["details"] = form.details.data.strip()
        quote = licensing().request_quote(body, g.token)
        return redirect(f"/licensee/quotes/{quote['id']}", 303)
    made = licensing().request_license(body, form.idempotency_key.data, g.token)
    return redirect(f"/licensee/requests/{made['id']}", 303)


def _describe_offer(offer: dict) -> str:
    kind = labels.label("offer", offer["kind"])
    if offer.get("price"):
        price = i18n.money(offer["price"]["amount"], offer["price"]["currency"])
    elif offer.get("on_request"):
        price = _("On request")
    else:
        price = _("Free")
    return f"{kind} · {price}"


@bp.get("/requests")
@signed_in_only
def requests_list():
    state = request.args.get("state") or None
    try:
        page = licensing().requests_made(g.token, state=state, cursor=request.args.get("cursor"))
    except ApiProblem as refused:
        return render_template("licensee/requests.html", page=None, problem=page_message(refused))
    return render_template("licensee/requests.html", page=page, state=state, problem=None)


@bp.get("/requests/<request_id>")
@signed_in_only
def request_page(request_id: str):
    license_request = found(licensing().request_made, request_id)
    try:  # the order placed from it, if any (the API lists orders, not by request)
        orders = [
            o
            for o in licensing().orders(g.token, limit=100)["items"]
            if o["request_id"] == request_id
        ]
    except ApiProblem:
        orders = []
    form = ActionForm()
    form.new_key()
    return render_template(
        "licensee/request.html",
        item=license_request,
        orders=orders,
        form=form,
        may_order=bool(roles() & BUYS),
        problem=request.args.get("problem"),
    )


@bp.get("/quotes")
@signed_in_only
def quotes_list():
    try:
        page = licensing().quotes(g.token, cursor=request.args.get("cursor"))
    except ApiProblem as refused:
        return render_template("licensee/quotes.html", page=None, problem=page_message(refused))
    return render_template("licensee/quotes.html", page=page, problem=None)


@bp.get("/quotes/<quote_id>")
@signed_in_only
def quote_page(quote_id: str, decline: DeclineQuoteForm | None = None, problem=None, status=200):
    quote = found(licensing().quote, quote_id)
    valid_until = quote.get("valid_until")
    page = render_template(
        "licensee/quote.html",
        quote=quote,
        # past its validity a sent quote is no longer offered for acceptance (licensing refuses)
        expired=bool(valid_until) and datetime.fromisoformat(valid_until) <= now(),
        accept=ActionForm(),
        decline=decline or DeclineQuoteForm(formdata=None),
        may_answer=bool(roles() & BUYS),
        problem=problem,
    )
    return page, status


@bp.post("/quotes/<quote_id>/accept")
@signed_in_only
def accept_quote(quote_id: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        accepted = licensing().accept_quote(quote_id, g.token)
    except ApiProblem as refused:
        return quote_page(quote_id, problem=page_message(refused), status=refused.status)
    return redirect(f"/licensee/requests/{accepted['request']['id']}", 303)


@bp.post("/quotes/<quote_id>/decline")
@signed_in_only
def decline_quote(quote_id: str):
    form = DeclineQuoteForm()
    if not form.validate_on_submit():
        return quote_page(quote_id, decline=form, status=422)
    try:
        licensing().decline_quote(quote_id, (form.reason.data or "").strip() or None, g.token)
    except ApiProblem as refused:
        problem = place(refused, form)
        return quote_page(quote_id, decline=form, problem=problem, status=refused.status)
    return redirect(f"/licensee/quotes/{quote_id}", 303)


def country_name(code: str | None) -> str:
    """A country as the page's language names it (CLDR, by Babel)."""
    if not code:
        return ""
    return Locale.parse(i18n.current_locale()).territories.get(code, code)


def timestamp(seconds: int | None) -> datetime | None:
    """A claim's time (seconds since the epoch) for the `when` filter."""
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


@bp.app_context_processor
def _words() -> dict:
    return {"word": word, "country_name": country_name, "timestamp": timestamp}
