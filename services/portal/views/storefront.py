"""The public storefront: home, search with facets, a core, a vendor. Search answers a whole
page, or only its results when htmx asks (HX-Request), so that facets update in place and the
same links work without JavaScript."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, make_response, render_template, request
from flask_babel import gettext as _

from services.portal.catalog_api import ApiProblem
from services.portal.forms import SearchForm
from services.portal.labels import FACETS
from services.portal.views.common import catalog, credential

bp = Blueprint("storefront", __name__)
PAGE_SIZE = 20


@bp.get("/")
def home():
    categories = catalog().taxonomy()["categories"]
    return render_template("home.html", form=SearchForm(formdata=None), categories=categories)


@bp.get("/search")
def search():
    form = SearchForm(request.args)
    filters = {f: request.args.getlist(f) for f in FACETS if request.args.getlist(f)}
    result, problem = None, None
    if form.validate():
        try:
            result = catalog().search(
                _query(form, filters, request.args.get("cursor")), credential()
            )
        except ApiProblem as refused:
            problem = _place(refused, form)
    response = make_response(
        render_template(
            "_results.html" if _only_results() else "search.html",
            only_results=_only_results(),
            form=form,
            filters=filters,
            result=result,
            facets_shown=FACETS,
            # A vendor facet counts organisation ids: named as the found cores' VLNVs name them.
            vendor_names={
                i["vendor_id"]: i["vlnv"]["vendor"] for i in (result or {}).get("items", ())
            },
            problem=problem,
            next_page=result and result["next"] and _link(form, filters, result["next"]),
            first_page=request.args.get("cursor") and _link(form, filters, None),
        )
    )
    response.vary.add("HX-Request")  # one address, two answers: a cache must keep both
    return response


def _only_results() -> bool:
    """htmx asks for the results alone, except when it restores a page from history that it no
    longer holds: then it needs the whole page."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )


@bp.get("/cores/<core_id>")
def core(core_id: str):
    token = credential()
    try:
        found = catalog().core(core_id, token)
        versions = catalog().versions(core_id, token)
    except ApiProblem as refused:
        if refused.status in (404, 422):
            abort(404)
        raise
    return render_template("core.html", core=found, versions=versions)


@bp.get("/vendors/<vendor_id>")
def vendor(vendor_id: str):
    """A vendor's cores. The catalog has no public profile of an organisation yet, so the
    vendor is named as its cores' VLNVs name it."""
    try:
        result = catalog().search(
            [("vendor", vendor_id), ("sort", "title"), ("limit", "100")], credential()
        )
    except ApiProblem as refused:
        if refused.status == 422:
            abort(404)
        raise
    if not result["items"]:
        abort(404)
    names = sorted({item["vlnv"]["vendor"] for item in result["items"]})
    return render_template("vendor.html", names=names, result=result, vendor_page=True)


def _query(form: SearchForm, filters: dict[str, list[str]], cursor: str | None) -> list:
    query = [("q", form.q.data or ""), ("sort", form.sort.data), ("limit", str(PAGE_SIZE))]
    query += [(name, value) for name, values in filters.items() for value in values]
    if cursor:
        query.append(("cursor", cursor))
    return query


def _link(form: SearchForm, filters: dict[str, list[str]], cursor: str | None) -> str:
    query = [(k, v) for k, v in _query(form, filters, cursor) if k != "limit"]
    return f"/search?{urlencode(query)}"


def _place(refused: ApiProblem, form: SearchForm) -> str:
    """A refusal of the catalog beside the field it names; anything else above the results."""
    for name in refused.errors:
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [_("This value is not accepted.")]
            return ""
    return _("The search could not be run: %(detail)s", detail=refused.detail or refused.title)
