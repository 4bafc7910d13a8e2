"""The public storefront: home, search with facets, a core, a vendor. Search answers a whole
page, or only its results when htmx asks (HX-Request), so that facets update in place and the
same links work without JavaScript."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, make_response, render_template, request
from flask_babel import get_timezone
from flask_babel import gettext as _
from markupsafe import Markup

from services.portal.catalog_api import Answer, ApiProblem
from services.portal.forms import SearchForm
from services.portal.labels import FACETS
from services.portal.page_translations import locale_name
from services.portal.rendered_fragments import RenderedFragments
from services.portal.views.common import catalog, credential
from services.portal.visitor_pages import VisitorPages

bp = Blueprint("storefront", __name__)
PAGE_SIZE = 20


@bp.get("/")
def home():
    categories = catalog().taxonomy()["categories"]
    return render_template("home.html", form=SearchForm(formdata=None), categories=categories)


@bp.record_once
def _keep_rendered(state) -> None:
    # A few hundred searches' results per process (~35 KB each with the answer they key by).
    state.app.extensions["search_results"] = RenderedFragments(256)
    state.app.extensions["core_details"] = RenderedFragments(512)  # ~15 KB each
    # Whole pages for visitors, ~45 KB each with the answers they key by.
    state.app.extensions["visitor_pages"] = VisitorPages(512)


@bp.get("/search")
def search():
    form = SearchForm(request.args)
    filters = {f: request.args.getlist(f) for f in FACETS if request.args.getlist(f)}
    answer, problem, query = None, None, []
    if form.validate():
        query = _query(form, filters, request.args.get("cursor"))
        try:
            answer = catalog().search_answer(query, credential())
        except ApiProblem as refused:
            problem = _place(refused, form)
    only_results = _only_results()

    def render(**visitor) -> str:
        results = _results_area(answer, query, form, filters, problem, only_results)
        if only_results:
            return results
        return render_template("search.html", form=form, results=results, **visitor)

    if answer is None:  # refused: the words are this request's own
        page = render()
    else:
        page = current_app.extensions["visitor_pages"].page(
            ("search", only_results, answer.body), render
        )
    response = make_response(page)
    response.vary.add("HX-Request")  # one address, two answers: a cache must keep both
    return response


def _results_area(
    answer: Answer | None,
    query: list,
    form: SearchForm,
    filters: dict[str, list[str]],
    problem: str | None,
    only_results: bool,
) -> Markup:
    """_results.html: the catalog's answer to this search in this language is kept as
    rendered (rendered_fragments.py); a refusal's words are this request's own."""
    result = answer.data if answer is not None else None

    def render() -> str:
        return render_template(
            "_results.html",
            only_results=only_results,
            form=form,
            filters=filters,
            result=result,
            problem=problem,
            facets_shown=FACETS,
            # A vendor facet counts organisation ids: named as the found cores' VLNVs name them.
            vendor_names={
                i["vendor_id"]: i["vlnv"]["vendor"] for i in (result or {}).get("items", ())
            },
            next_page=result and result["next"] and _link(form, filters, result["next"]),
            first_page=request.args.get("cursor") and _link(form, filters, None),
        )

    if answer is None:
        return Markup(render())
    key = (locale_name(), only_results, tuple(query), answer.body)
    return current_app.extensions["search_results"].get(key, render)


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
        found = catalog().core_with_versions_answer(core_id, token)
    except ApiProblem as refused:
        if refused.status in (404, 422):
            abort(404)
        raise

    def render(**visitor) -> str:
        # What the catalog says of the core, kept as rendered by its answer
        # (rendered_fragments.py): for a signed-in person, the page around it is theirs.
        key = (locale_name(), str(get_timezone()), found.body)
        details = current_app.extensions["core_details"].get(
            key,
            lambda: render_template(
                "_core_details.html", core=found.data, versions=found.data["versions"]
            ),
        )
        return render_template("core.html", core=found.data, details=details, **visitor)

    return current_app.extensions["visitor_pages"].page(("core", found.body), render)


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
