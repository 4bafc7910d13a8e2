"""HTTP API of the catalog. Handlers are thin: parse → call the domain → serialise."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Response, g, request
from marshmallow import RAISE

from services.catalog import cores, ipxact, organisations, schemas, taxonomy, vendor_names
from services.catalog.models import Organisation
from services.catalog.search import FACETS, SearchQuery, search_cores
from shared.errors import UnsupportedMediaType
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import current_principal, requires
from shared.http.context import service_context

organisations_blp = Blueprint(
    "organisations", __name__, url_prefix="/organisations",
    description="The platform directory: organisations and API keys.")
cores_blp = Blueprint(
    "cores", __name__, url_prefix="/cores",
    description="IP cores: drafts, publication, offers, search, IP-XACT import.")
vendor_names_blp = Blueprint(
    "vendor-names", __name__, url_prefix="/vendor-name-claims",
    description="VLNV vendor names: the operator confirms who may publish under which name.")
blueprints = [organisations_blp, cores_blp, vendor_names_blp]


# --- optimistic concurrency --------------------------------------------------------------------
# The ETag of an organisation or core is its version number; an update must say (If-Match)
# which version it was made from, and a stale one gets 412 instead of overwriting a change.

def etag(version: int) -> dict:
    return {"ETag": f'"{version}"'}


ETAG = {"ETag": {"schema": {"type": "string"}, "description": "The version, for If-Match."}}


def if_match_header(required: bool) -> dict:
    return {"in": "header", "name": "If-Match", "required": required,
            "schema": {"type": "string"}, "description": (
                "The ETag you read: a change made since is 412"
                + (", and leaving it out is 428." if required else "."))}


def if_match() -> str | None:
    """The If-Match header as sent: the domain reads it once it knows that the caller may change
    the resource at all, so that a stranger learns nothing from a 412 or 428."""
    return request.headers.get("If-Match")


XML = ("application/xml", "text/xml")


def _principal_or_none():
    return g.get("principal")


# --- organisations -----------------------------------------------------------------------------
# `requires` comes right after the route, so that a request without a valid key is 401 before
# its body is even read.

@organisations_blp.post("")
@requires("admin")
@organisations_blp.arguments(schemas.OrganisationCreateSchema)
@organisations_blp.response(201, schemas.OrganisationSchema, headers=ETAG)
def register_organisation(body):
    """Register an organisation (platform operator only)."""
    with service_context().unit_of_work() as uow:
        org = organisations.register_organisation(uow, **body)
        uow.commit()
    return org, etag(org.version)


@organisations_blp.get("")
@requires("admin")
@organisations_blp.response(200, schemas.OrganisationSchema(many=True))
def list_organisations():
    """Every organisation (platform operator only)."""
    with service_context().session_factory() as session:
        return list(session.scalars(sa.select(Organisation).order_by(Organisation.created_at,
                                                                      Organisation.id)))


@organisations_blp.get("/<organisation_id>")
@requires()
@organisations_blp.response(200, schemas.OrganisationSchema, headers=ETAG)
@problems(404)
def read_organisation(organisation_id):
    """An organisation's profile: its own, or any for the operator."""
    with service_context().session_factory() as session:
        org = organisations.get_organisation(session, current_principal(), organisation_id)
    return org, etag(org.version)


@organisations_blp.patch("/<organisation_id>")
@requires()
@organisations_blp.arguments(schemas.OrganisationUpdateSchema)
@organisations_blp.response(200, schemas.OrganisationSchema, headers=ETAG)
@organisations_blp.doc(parameters=[if_match_header(required=True)])
@problems(403, 404, 412, 428)
def update_organisation(changes, organisation_id):
    """Change the profile (If-Match required); roles only by the operator."""
    principal = current_principal()
    with service_context().unit_of_work() as uow:
        org = organisations.update_organisation(uow, principal, organisation_id, if_match(),
                                                changes)
        uow.commit()
    return org, etag(org.version)


@organisations_blp.post("/<organisation_id>/api-keys")
@requires()
@organisations_blp.arguments(schemas.ApiKeyCreateSchema)
@organisations_blp.response(201, schemas.NewApiKeySchema)
@problems(404)
def create_api_key(body, organisation_id):
    """A new API key; the key is in this response only and is never shown again."""
    principal = current_principal()
    with service_context().unit_of_work() as uow:
        organisations.get_organisation(uow.session, principal, organisation_id)
        api_key, key = organisations.create_api_key(uow, organisation_id, body["name"])
        uow.commit()
    shown = {name: getattr(api_key, name) for name in schemas.ApiKeySchema().fields}
    return {**shown, "api_key": key}


@organisations_blp.get("/<organisation_id>/api-keys")
@requires()
@organisations_blp.response(200, schemas.ApiKeySchema(many=True))
@problems(404)
def list_api_keys(organisation_id):
    """The organisation's keys: name, created, last used, revoked (never the key)."""
    with service_context().session_factory() as session:
        return organisations.list_api_keys(session, current_principal(), organisation_id)


@organisations_blp.delete("/<organisation_id>/api-keys/<key_id>")
@requires()
@organisations_blp.response(200, schemas.ApiKeySchema)
@problems(404)
def revoke_api_key(organisation_id, key_id):
    """Revoke a key: it stops working on every service within seconds."""
    principal = current_principal()
    with service_context().unit_of_work() as uow:
        organisations.get_organisation(uow.session, principal, organisation_id)
        api_key = organisations.revoke_api_key(uow, organisation_id, key_id)
        uow.commit()
    return api_key


# --- VLNV vendor names ------------------------------------------------------------------------

@organisations_blp.post("/<organisation_id>/vendor-name-claims")
@requires("vendor")
@organisations_blp.arguments(schemas.VendorNameClaimCreateSchema)
@organisations_blp.response(201, schemas.VendorNameClaimSchema)
@problems(404, 409)
def claim_vendor_name(body, organisation_id):
    """Claim a VLNV vendor name (e.g. your domain name). Cores are created and published under
    it once the operator has confirmed the claim."""
    with service_context().unit_of_work() as uow:
        claim = vendor_names.claim_name(uow, current_principal(), organisation_id, body["name"])
        uow.commit()
        return claim


@organisations_blp.get("/<organisation_id>/vendor-name-claims")
@requires()
@organisations_blp.response(200, schemas.VendorNameClaimSchema(many=True))
@problems(404)
def list_vendor_name_claims(organisation_id):
    """The organisation's claims of VLNV vendor names: pending, confirmed and declined."""
    with service_context().session_factory() as session:
        return vendor_names.list_claims(session, current_principal(), organisation_id)


@vendor_names_blp.get("")
@requires("admin")
@vendor_names_blp.arguments(schemas.VendorNameClaimArgsSchema(), location="query",
                            unknown=RAISE)
@vendor_names_blp.response(200, schemas.VendorNameClaimSchema(many=True))
def list_all_vendor_name_claims(args):
    """Every organisation's claims, e.g. ?status=pending (platform operator only)."""
    with service_context().session_factory() as session:
        return vendor_names.list_claims(session, current_principal(), status=args.get("status"))


def _decision(action: str, decision: str):
    def view(body, claim_id):
        with service_context().unit_of_work() as uow:
            claim = vendor_names.decide(uow, current_principal(), claim_id, decision,
                                        body.get("reason"))
            uow.commit()
            return claim

    view.__name__ = f"{decision}_vendor_name_claim"
    view.__doc__ = (f"{action.capitalize()} a pending claim (platform operator only); the "
                    "organisation is told by an event.")
    return view


for _action, _decision_name in (("confirm", "confirmed"), ("decline", "declined")):
    vendor_names_blp.route(f"/<id:claim_id>/{_action}", methods=["POST"],
                           endpoint=f"{_action}_vendor_name_claim")(
        requires("admin")(vendor_names_blp.arguments(schemas.VendorNameDecisionSchema,
                                                     required=False)(
            vendor_names_blp.response(200, schemas.VendorNameClaimSchema)(
                problems(404, 409)(_decision(_action, _decision_name))))))


# --- cores -------------------------------------------------------------------------------------

SUMMARY = schemas.CoreSummarySchema()


@cores_blp.get("")
# An instance, not the class: webargs would build a new schema for every search.
@cores_blp.arguments(schemas.SearchArgsSchema(), location="query", unknown=RAISE)
@cores_blp.response(200, schemas.SearchResultSchema)
def search(args):
    """Search published cores (and your own): full text, facets with counts, filters,
    sorting, cursor pagination. Anyone may search; drafts are seen only by their vendor."""
    query = SearchQuery(text=args["q"], sort=args.get("sort"),
                        cursor=args.get("cursor"), limit=args["limit"],
                        filters={f: args[f] for f in FACETS if args.get(f)})
    with service_context().session_factory() as session:
        result = search_cores(session, _principal_or_none(), query, SUMMARY.dump)
    return {"items": result.items, "total": result.total, "facets": result.facets,
            "next_cursor": result.next_cursor}


@cores_blp.post("")
@requires("vendor")
@cores_blp.arguments(schemas.CoreCreateSchema)
@cores_blp.response(201, schemas.CoreSchema, headers=ETAG)
@problems(409)
def create_core(body):
    """A new core version, as a draft of your organisation."""
    with service_context().unit_of_work() as uow:
        core = cores.create_draft(uow, current_principal(), **body)
        uow.commit()
        return core, etag(core.version)


@cores_blp.post("/import")
@requires("vendor")
@cores_blp.arguments(schemas.ImportArgsSchema, location="query", unknown=RAISE)
@cores_blp.response(201, schemas.CoreSchema, headers=ETAG)
@cores_blp.doc(requestBody={"required": True, "content": {
    media_type: {"schema": {"type": "string"}} for media_type in XML},
    "description": "An IEEE 1685 (IP-XACT) component description."})
@problems(400, 409, 413, 415)
def import_ipxact(args):
    """A draft core from an IP-XACT component: VLNV, description, parameters, bus interfaces
    (mapped to standards), file sets."""
    if request.mimetype not in XML:
        raise UnsupportedMediaType(f"send the component as {' or '.join(XML)}, not "
                                   f"{request.mimetype or 'untyped'}", field="Content-Type")
    fields = ipxact.parse_component(request.get_data(), args.get("version"))
    with service_context().unit_of_work() as uow:
        core = cores.create_draft(uow, current_principal(), **fields)
        uow.commit()
        return core, etag(core.version)


@cores_blp.get("/<id:core_id>")
@cores_blp.response(200, schemas.CoreSchema, headers=ETAG)
@problems(404)
def read_core(core_id):
    """One core version (published, or your own)."""
    with service_context().session_factory() as session:
        core = cores.get_core(session, _principal_or_none(), core_id)
        return core, etag(core.version)


@cores_blp.get("/<id:core_id>/versions")
@cores_blp.response(200, schemas.CoreSummarySchema(many=True))
@problems(404)
def read_core_versions(core_id):
    """Every version of this core (same vendor, library and name) that you may see, oldest
    first in version order ("1.9" before "1.10"; PEP 440 where a version follows it)."""
    with service_context().session_factory() as session:
        return cores.versions_of(session, _principal_or_none(), core_id)


@cores_blp.get("/<id:core_id>/ipxact")
@cores_blp.doc(responses={"200": {
    "description": "The core as an IEEE 1685-2022 (IP-XACT) component description.",
    "content": {"application/xml": {"schema": {"type": "string"}}},
    "headers": ETAG}})
@problems(404)
def export_ipxact(core_id):
    """The core as an IP-XACT 1685-2022 component: VLNV, description, bus interfaces with
    their port maps, memory maps, ports, file sets, parameters. Importing it gives the same
    core."""
    with service_context().session_factory() as session:
        core = cores.get_core(session, _principal_or_none(), core_id)
        return Response(ipxact.component_xml(core), content_type="application/xml",
                        headers=etag(core.version))


@cores_blp.patch("/<id:core_id>")
@requires()
@cores_blp.arguments(schemas.CoreUpdateSchema)
@cores_blp.response(200, schemas.CoreSchema, headers=ETAG)
@cores_blp.doc(parameters=[if_match_header(required=True)])
@problems(403, 404, 409, 412, 428)
def update_core(changes, core_id):
    """Change a core (If-Match required). A published version changes only its offers, targets,
    documents and descriptions; anything else needs a new version."""
    principal = current_principal()
    with service_context().unit_of_work() as uow:
        core = cores.update_core(uow, principal, core_id, if_match(), changes)
        uow.commit()
        return core, etag(core.version)


def _transition(name: str):
    def view(core_id):
        principal = current_principal()
        with service_context().unit_of_work() as uow:
            core = cores.change_status(uow, principal, core_id, name, if_match())
            uow.commit()
            return core, etag(core.version)

    view.__name__ = f"{name}_core"
    view.__doc__ = f"{name.capitalize()} the core (If-Match optional)."
    return view


for _name in cores.TRANSITIONS:
    cores_blp.route(f"/<id:core_id>/{_name}", methods=["POST"], endpoint=f"{_name}_core")(
        requires()(cores_blp.response(200, schemas.CoreSchema, headers=ETAG)(
            cores_blp.doc(parameters=[if_match_header(required=False)])(
                problems(403, 404, 409, 412, 422)(_transition(_name))))))


@cores_blp.get("/taxonomy")
@cores_blp.response(200, schemas.TaxonomySchema)
def read_taxonomy():
    """The fixed vocabularies: categories, deliverable kinds, maturities, offer kinds…"""
    return {"categories": taxonomy.CATEGORIES, "deliverable_kinds": taxonomy.DELIVERABLE_KINDS,
            "hdl_languages": taxonomy.HDL_LANGUAGES, "maturities": taxonomy.MATURITIES,
            "offer_kinds": taxonomy.OFFER_KINDS, "currencies": taxonomy.CURRENCIES,
            "document_kinds": taxonomy.DOCUMENT_KINDS, "standards": taxonomy.KNOWN_STANDARDS,
            "price_bands": [b for b, _ in taxonomy.PRICE_BANDS] + [taxonomy.ON_REQUEST]}
