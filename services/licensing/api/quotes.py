"""Quotes for offers priced "on request": asked by the licensee, sent by the vendor,
accepted (a license request at the quoted price) or declined by the licensee, or rejected
by the vendor."""

from __future__ import annotations

from services.licensing import quotes
from services.licensing.access import get_visible, visible
from services.licensing.api.common import V1, committed, keyring, page
from services.licensing.domain.money import Money
from services.licensing.purchasing_models import Quote
from services.licensing.schemas.quotes import (
    Accept,
    AcceptedQuoteOut,
    Decline,
    QuoteAnswer,
    QuoteIn,
    QuoteOut,
    QuotePage,
    QuoteQuery,
    Reject,
)
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import current_principal, requires
from shared.http.context import service_context

blp = Blueprint("quotes", __name__, url_prefix=V1, description="Quotes")


@blp.post("/quotes")
@requires("licensee", action="quotes.request")
@blp.response(201, QuoteOut)
@blp.arguments(QuoteIn)
def request_quote(body):
    """Ask the vendor for a price on an offer priced "on request"."""
    return committed(quotes.request_quote, current_principal(), body), 201


@blp.get("/quotes")
@requires(action="quotes.read")
@blp.response(200, QuotePage)
@blp.arguments(QuoteQuery, location="query")
def list_quotes(args):
    rows, next_cursor = page(visible(Quote, current_principal()), args, Quote)
    return {"items": rows, "next": next_cursor}


@blp.get("/quotes/<id:quote_id>")
@requires(action="quotes.read")
@blp.response(200, QuoteOut)
@problems(404)
def get_quote(quote_id):
    with service_context().session_factory() as session:
        return get_visible(session, current_principal(), Quote, quote_id)


@blp.post("/quotes/<id:quote_id>/send")
@requires("vendor", action="quotes.decide")
@blp.response(200, QuoteOut)
@problems(404, 409)
@blp.arguments(QuoteAnswer)
def send_quote(body, quote_id):
    """The vendor's price, terms and validity (again to revise it before an answer)."""
    price = Money.parse(body["amount"], body["currency"])
    return committed(
        quotes.send_quote, current_principal(), quote_id, price, body["terms"], body["valid_until"]
    )


@blp.post("/quotes/<id:quote_id>/accept")
@requires("licensee", action="quotes.accept")
@blp.response(200, AcceptedQuoteOut)
@problems(404, 409)
@blp.arguments(Accept)
def accept_quote(_body, quote_id):
    """Accept: submits a license request at the quoted price (screened as any request), for
    the offer as it stood when the quote was sent, even if the vendor has edited or removed it
    since. 409: the quote is not (or no longer) open to acceptance, or its core was withdrawn."""
    quote, license_request = committed(
        quotes.accept_quote, keyring(), current_principal(), quote_id
    )
    return {**QuoteOut().dump(quote), "request": license_request}


@blp.post("/quotes/<id:quote_id>/decline")
@requires("licensee", action="quotes.accept")
@blp.response(200, QuoteOut)
@problems(404, 409)
@blp.arguments(Decline)
def decline_quote(body, quote_id):
    return committed(quotes.decline_quote, current_principal(), quote_id, body.get("reason"))


@blp.post("/quotes/<id:quote_id>/reject")
@requires("vendor", action="quotes.decide")
@blp.response(200, QuoteOut)
@problems(404, 409)
@blp.arguments(Reject)
def reject_quote(body, quote_id):
    """The vendor will not quote, or takes back a quote the licensee has not answered; the
    licensee is told the reason."""
    return committed(quotes.reject_quote, current_principal(), quote_id, body["reason"])
