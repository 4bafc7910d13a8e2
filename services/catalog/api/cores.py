"""/v1/cores/<id>: drafts, IP-XACT import and export, versions, changes, the lifecycle."""

from __future__ import annotations

from flask import Response, current_app, request
from marshmallow import RAISE

from services.catalog import cores
from services.catalog.api.common import (
    ETAG,
    XML,
    etag,
    if_match,
    if_match_header,
    page,
    principal_or_none,
)
from services.catalog.core_representations import core_representations_for
from services.catalog.domain.ipxact_export import component_xml
from services.catalog.domain.ipxact_import import parse_component
from services.catalog.schemas import (
    CoreCreateSchema,
    CoreReadArgsSchema,
    CoreSchema,
    CoreSummarySchema,
    CoreUpdateSchema,
    CoreWithVersionsSchema,
    ImportArgsSchema,
    page_schema,
)
from shared.db.session import without_transaction
from shared.errors import NotFound, UnsupportedMediaType
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import current_principal, requires
from shared.http.context import service_context

blp = Blueprint(
    "cores",
    __name__,
    url_prefix="/v1/cores",
    description="IP cores: drafts, publication, offers, IP-XACT import and export.",
)
# Instances made once: a schema made per request is a cost of its own.
CORE, SUMMARY = CoreSchema(), CoreSummarySchema()


@blp.post("")
@requires("vendor", action="cores.change")
@blp.arguments(CoreCreateSchema)
@blp.response(201, CoreSchema, headers=ETAG)
@problems(409)
def create_core(body):
    """A new core version, as a draft of your organisation."""
    with service_context().unit_of_work(current_principal().actor) as uow:
        core = cores.create_draft(uow, current_principal(), **body)
        uow.commit()
        return core, etag(core.version)


@blp.post("/import")
@requires("vendor", action="cores.change")
@blp.arguments(ImportArgsSchema, location="query", unknown=RAISE)
@blp.response(201, CoreSchema, headers=ETAG)
@blp.alt_response(
    200, schema=CoreSchema, description="With dry_run: the draft it would create, not stored."
)
@blp.doc(
    requestBody={
        "required": True,
        "content": {media_type: {"schema": {"type": "string"}} for media_type in XML},
        "description": "An IEEE 1685 (IP-XACT) component description.",
    }
)
@problems(400, 409, 413, 415)
def import_ipxact(args):
    """A draft core from an IP-XACT component: VLNV, description, parameters, bus interfaces
    (mapped to standards), file sets. With ?dry_run=true, what it would create, storing
    nothing (a preview to confirm)."""
    if request.mimetype not in XML:
        raise UnsupportedMediaType(
            f"send the component as {' or '.join(XML)}, not {request.mimetype or 'untyped'}",
            field="Content-Type",
        )
    fields = parse_component(request.get_data(), args.get("version"))
    with service_context().unit_of_work(current_principal().actor) as uow:
        core = cores.create_draft(uow, current_principal(), **fields)
        if args["dry_run"]:
            # Every check of a real import ran (VLNV taken, vendor name, fields); leaving the
            # unit of work uncommitted stores nothing.
            return core, 200
        uow.commit()
        return core, etag(core.version)


@blp.get("/<id:core_id>")
@blp.arguments(CoreReadArgsSchema(), location="query", unknown=RAISE)
@blp.response(200, CoreWithVersionsSchema, headers=ETAG)
@problems(404)
def read_core(args, core_id):
    """One core version (published, or your own); with ?include=versions, every version of its
    line that you may see too, as /versions lists them."""
    viewer = principal_or_none()
    with service_context().session_factory() as session:
        without_transaction(session)  # a core changed between its two reads is shown as it is
        if "versions" in args["include"]:
            # The line's stamps hold the core's own: one read for both.
            line = cores.versions_of(session, viewer, core_id)
            stamp = next(stamp for stamp in line if stamp.id == core_id)
        else:
            line, stamp = None, cores.visible_stamp(session, viewer, core_id)
        representations = core_representations_for.of(session.get_bind())
        kept = representations.of("core", [stamp], _cores_made(session, viewer))
        if line is not None:
            summaries = representations.of("summary", line, _summaries_made(session, viewer))
    if not kept:  # made a draft, or deleted, between the two reads
        raise NotFound(f"core {core_id} does not exist")
    ((version, core),) = kept
    if line is not None:
        core = {**core, "versions": summaries}
    response = current_app.json.response(core)
    response.headers.update(etag(version))
    return response


@blp.get("/<id:core_id>/versions")
@blp.response(200, page_schema(CoreSummarySchema))
@problems(404)
def read_core_versions(core_id):
    """Every version of this core (same vendor, library and name) that you may see, oldest
    first in version order ("1.9" before "1.10"; PEP 440 where a version follows it). A line
    of versions is short: it comes in one page (`next` is null)."""
    viewer = principal_or_none()
    with service_context().session_factory() as session:
        without_transaction(session)
        stamps = cores.versions_of(session, viewer, core_id)
        summaries = core_representations_for.of(session.get_bind()).of(
            "summary", stamps, _summaries_made(session, viewer)
        )
    # Already dumped through SUMMARY, as search's summaries are: sent as they are.
    return current_app.json.response(page(summaries, None))


def _cores_made(session, viewer):
    """What keeps a core's representation makes it with: (its version, its dump), by stamp."""
    return lambda ids: {
        cores.stamp_of(core): (core.version, CORE.dump(core))
        for core in cores.visible_cores(session, viewer, ids)
    }


def _summaries_made(session, viewer):
    return lambda ids: {
        cores.stamp_of(core): SUMMARY.dump(core)
        for core in cores.visible_cores(session, viewer, ids, summary_only=True)
    }


@blp.get("/<id:core_id>/ipxact")
@blp.doc(
    responses={
        "200": {
            "description": "The core as an IEEE 1685-2022 (IP-XACT) component description.",
            "content": {"application/xml": {"schema": {"type": "string"}}},
            "headers": ETAG,
        }
    }
)
@problems(404)
def export_ipxact(core_id):
    """The core as an IP-XACT 1685-2022 component: VLNV, description, bus interfaces with
    their port maps, memory maps, ports, file sets, parameters. Importing it gives the same
    core."""
    with service_context().session_factory() as session:
        core = cores.get_core(session, principal_or_none(), core_id)
        return Response(
            component_xml(core), content_type="application/xml", headers=etag(core.version)
        )


@blp.patch("/<id:core_id>")
@requires(action="cores.change")
@blp.arguments(CoreUpdateSchema)
@blp.response(200, CoreSchema, headers=ETAG)
@blp.doc(parameters=[if_match_header(required=True)])
@problems(403, 404, 409, 412, 428)
def update_core(changes, core_id):
    """Change a core (If-Match required). A published version changes only its offers, targets,
    documents and descriptions; anything else needs a new version."""
    principal = current_principal()
    with service_context().unit_of_work(current_principal().actor) as uow:
        core = cores.update_core(uow, principal, core_id, if_match(), changes)
        uow.commit()
        return core, etag(core.version)


def _transition_view(transition: str):
    def view(core_id):
        principal = current_principal()
        with service_context().unit_of_work(current_principal().actor) as uow:
            core = cores.change_status(uow, principal, core_id, transition, if_match())
            uow.commit()
            return core, etag(core.version)

    view.__name__ = f"{transition}_core"
    view.__doc__ = f"{transition.capitalize()} the core (If-Match optional)."
    return view


for _transition in cores.TRANSITIONS:
    blp.route(f"/<id:core_id>/{_transition}", methods=["POST"], endpoint=f"{_transition}_core")(
        requires(action="cores.publish")(
            blp.response(200, CoreSchema, headers=ETAG)(
                blp.doc(parameters=[if_match_header(required=False)])(
                    problems(403, 404, 409, 412, 422)(_transition_view(_transition))
                )
            )
        )
    )
