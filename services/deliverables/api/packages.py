"""/v1/licenses/{license_id}/package (a licensee's package: the signed manifest and a
short-lived link per file), /v1/package-files/{id}/content (what a link serves, `Range`
supported) and /.well-known/jwks.json (the keys manifests are signed with)."""

from __future__ import annotations

from flask import Response, current_app, request
from flask.views import MethodView

from services.deliverables import downloads, manifest, package_access
from services.deliverables.links import LinkSigner
from services.deliverables.schemas.packages import Jwks, LinkQuery, PackageOut
from shared import config
from shared.errors import DomainError
from shared.http.api_docs import Blueprint, problems
from shared.http.auth import current_principal, requires
from shared.http.context import service_context

blp = Blueprint(
    "packages",
    __name__,
    description="Licensees' packages: encrypted files, signed manifests, short-lived links.",
)
AGE = "application/octet-stream"
# With S3, a link checked and audited here redirects to a URL of the object store this long:
# enough to start the transfer (a resume asks the link again, which is checked again).
PRESIGNED_SECONDS = 60


class RangeNotSatisfiable(DomainError):
    status = 416
    title = "Range not satisfiable"


def link_signer() -> LinkSigner:
    signer = current_app.extensions.get("deliverables_links")
    if signer is None:
        signer = current_app.extensions["deliverables_links"] = LinkSigner(
            manifest.manifest_secret()
        )
    return signer


def base_url() -> str:
    return config.get("IPMARKET_DELIVERABLES_URL").rstrip("/")


@blp.route("/v1/licenses/<id:license_id>/package")
class LicensePackage(MethodView):
    @requires("licensee", action="deliverables.download")  # links to copies: as a download
    @blp.response(200, PackageOut)
    @problems(403, 404, 409)
    def get(self, license_id):
        """Your newest package for a license in force: each granted file encrypted with age to
        your keys, behind a link that ends in minutes, and the manifest signed over them."""
        context = service_context()
        with context.session_factory() as session:
            package, files = package_access.ready_package(
                session, current_principal(), license_id, link_signer(), base_url(),
                context.clock(),
            )  # fmt: skip
            return {
                **{c: getattr(package, c) for c in ("package_id", "license_id", "core_id")},
                **{c: getattr(package, c) for c in ("recipients", "ready_at", "manifest")},
                "files": files,
            }


@blp.route("/v1/package-files/<id:package_file_id>/content")
class PackageFileContent(MethodView):
    @blp.arguments(LinkQuery, location="query")
    @blp.response(200, {"type": "string", "format": "binary"}, content_type=AGE)
    @blp.alt_response(
        206,
        schema={"type": "string", "format": "binary"},
        content_type=AGE,
        description="The byte range asked for (`Range: bytes=…`).",
    )
    @blp.alt_response(
        302,
        description="With the S3 backend: a short-lived presigned URL of the object store "
        "serving the same ciphertext (and `Range`); follow it with the same headers.",
    )
    @problems(403, 404, 409, 416)
    def get(self, query, package_file_id):
        """The age ciphertext a link names (the link is the credential: no key needed), while
        the link and the license last; `Range` asks for part of it (206). Each request is
        checked and audited here; with S3 the bytes come from a presigned URL (302). 409: after a
        crash of the machine the file is being checked, or prepared again: ask for the package
        again in a few minutes (a file prepared again is announced again when ready)."""
        context = service_context()
        now = context.clock()
        with context.session_factory() as session:
            file, deliverable, license, principal = package_access.linked_file(
                session, link_signer(), package_file_id, query, now,
                current_app.extensions["deliverables_boot_id"],
            )  # fmt: skip
            session.expunge_all()
        store = current_app.extensions["deliverables_store"]
        size = file.cipher_size
        headers = {
            "Accept-Ranges": "bytes",
            "Content-Disposition": f'attachment; filename="{deliverable.file_name}.age"',
            "X-Plaintext-SHA256": deliverable.sha256,
        }
        start, end, status = 0, size, 200
        if request.range is not None:
            span = request.range.range_for_length(size)
            if span is None:  # several ranges, or none inside the file
                raise RangeNotSatisfiable(f"the file is {size} bytes: ask for one range in it",
                                          field="Range", size=size)  # fmt: skip
            (start, end), status = span, 206
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
        if start == 0:  # a copy starts to leave: the audit's row (a resumed range is the same)
            downloads.record_download(
                context.unit_of_work(principal.actor), principal, deliverable, license,
                request.remote_addr or "unknown", now,
            )  # fmt: skip
        direct = store.presigned_url(file.object_key, PRESIGNED_SECONDS)
        if direct is not None:  # the bytes come from the object store, and the Range with them
            return Response(status=302, headers={"Location": direct, "Cache-Control": "no-store"})
        headers["Content-Length"] = str(end - start)
        body = store.get(file.object_key, start, end)
        return Response(body, status=status, mimetype=AGE, headers=headers)


@blp.get("/.well-known/jwks.json")
@blp.response(200, Jwks)
def jwks():
    """Public keys that verify package manifests (RFC 7517)."""
    with service_context().session_factory() as session:
        return manifest.jwks(session), 200, {"Cache-Control": "max-age=300"}
