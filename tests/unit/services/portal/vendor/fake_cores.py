"""The catalog's cores and team routes in memory for the vendor workspace's unit tests (httpx
MockTransport, no sockets): the vendor's own cores with their lifecycle, an IP-XACT import with
its dry run, the members of the organisation."""

from __future__ import annotations

import copy
import json

import httpx

from services.portal.catalog_api import CatalogApi
from tests.unit.services.portal.built_portal import portal_app
from tests.unit.services.portal.fake_catalog import CORE, NOW, ORGANISATION, SECRET, _problem
from tests.unit.services.portal.test_security import csrf_of
from tests.unit.services.portal.vendor.fake_licensing import VendorCatalog

__all__ = ["csrf_of"]
LIFECYCLE = {
    "publish": ({"draft"}, "published"),
    "deprecate": ({"published"}, "deprecated"),
    "withdraw": ({"published", "deprecated"}, "withdrawn"),
}
TAXONOMY = {
    "categories": {"memories": "Memories", "processors": "Processors"},
    "deliverable_kinds": ["soft_rtl", "documentation"],
    "offer_kinds": ["evaluation", "single_project"],
    "currencies": ["CNY", "USD"],
}
GOOD_XML = b"<ipxact:component>alu</ipxact:component>"


def own_core(core_id: str, status: str, **fields) -> dict:
    core = copy.deepcopy(CORE) | {"id": core_id, "vendor_id": ORGANISATION, "status": status}
    core["vlnv"] = {**core["vlnv"], "version": core_id.rsplit("_", 1)[-1] + ".0"}
    return core | {"version": 1, "file_sets": [], "bus_interfaces": [], "ports": []} | fields


def member(person_id: str, roles: list[str], **fields) -> dict:
    return {
        "person_id": person_id,
        "organisation_id": ORGANISATION,
        "name_en": f"Person {person_id}",
        "name_zh": None,
        "email": f"{person_id}@xinyuan.example",
        "roles": roles,
        "joined_at": "2026-11-01T09:00:00+00:00",
        "has_second_factor": False,
    } | fields


class CoresCatalog(VendorCatalog):
    def __init__(self, roles: list[str], locale: str | None = None, kinds=("vendor",)):
        super().__init__(roles, locale, kinds)
        self.cores = {
            "core_1": own_core("core_1", "draft", offers=[], eccn=None),
            "core_2": own_core("core_2", "published"),
        }
        self.members = [member("person_1", ["owner"]), member("person_2", ["viewer"])]
        self.requires_second_factor = False
        self.invitations = [
            {"id": "inv_1", "email": "wang@xinyuan.example", "roles": ["viewer"]}
            | {"expires_at": "2026-12-09T09:00:00+00:00"}
        ]

    def changes(self) -> list[httpx.Request]:
        return [
            c
            for c in self.calls
            if c.method in ("POST", "PATCH", "PUT", "DELETE") and c.url.path != "/v1/sessions"
        ]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        if path in ("/v1/sessions", "/v1/people/me"):
            return super().__call__(request)
        self.calls.append(request)
        assert request.headers.get("Ipmarket-Organisation", ORGANISATION) == ORGANISATION
        if path == "/v1/cores/taxonomy":
            return httpx.Response(200, json=TAXONOMY)
        if path == "/v1/cores" and method == "GET":
            status = request.url.params.get("status")
            items = [c for c in self.cores.values() if status in (None, c["status"])]
            return httpx.Response(200, json={"items": items, "total": len(items), "next": None})
        if path == "/v1/cores" and method == "POST":
            body = json.loads(request.content)
            if body["vlnv"]["vendor"] == "not.ours":
                return _problem(403, [{"field": "vlnv", "message": "not your vendor name"}])
            core = own_core("core_9", "draft") | body | {"offers": []}
            self.cores["core_9"] = core
            return httpx.Response(201, json=core)
        if path == "/v1/cores/import":
            return self._import(request)
        if path.startswith(f"/v1/organisations/{ORGANISATION}"):
            return self._team(request, path.removeprefix(f"/v1/organisations/{ORGANISATION}"))
        parts = path.split("/")  # '', v1, cores, id[, more]
        core = self.cores.get(parts[3]) if len(parts) > 3 and parts[2] == "cores" else None
        if core is None:
            return _problem(404, [])
        if len(parts) == 4 and method == "GET":
            return httpx.Response(200, json=core)
        if len(parts) == 5 and parts[4] == "versions":
            return httpx.Response(200, json={"items": [core], "next": None})
        if len(parts) == 4 and method == "PATCH":
            assert request.headers["If-Match"] == f'"{core["version"]}"'
            changes = json.loads(request.content)
            if core["status"] != "draft" and changes.get("offers") == []:
                message = "a published core has at least one license offer"
                return _problem(422, [{"field": "offers", "message": message}])
            core.update(changes, version=core["version"] + 1)
            return httpx.Response(200, json=core)
        if len(parts) == 5 and parts[4] in LIFECYCLE and method == "POST":
            if "publisher" not in self.roles and "owner" not in self.roles:
                return _problem(403, [])
            sources, target = LIFECYCLE[parts[4]]
            if core["status"] not in sources:
                return _problem(409, [{"field": "status", "message": "not from this state"}])
            if target == "published" and not core["offers"]:
                return _problem(422, [{"field": "offers", "message": "needs an offer"}])
            core["status"] = target
            return httpx.Response(200, json=core)
        return _problem(404, [])

    def _import(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["Content-Type"] == "application/xml"
        if request.content != GOOD_XML:
            message = "not well-formed XML at line 1, column 10: unclosed token"
            return _problem(422, [{"field": "body", "message": message}])
        core = own_core("core_7", "draft", title_en="alu", offers=[])
        core["file_sets"] = [{"name": "rtl", "files": [{"name": "alu.v", "file_types": []}]}]
        if request.url.params.get("dry_run") == "true":
            return httpx.Response(200, json=core)
        self.cores["core_7"] = core
        return httpx.Response(201, json=core)

    def _team(self, request: httpx.Request, rest: str) -> httpx.Response:
        method = request.method
        if rest == "" and method == "GET":
            body = {"id": ORGANISATION, "requires_second_factor": self.requires_second_factor}
            return httpx.Response(200, json=body)
        if rest == "/members" and method == "GET":
            return httpx.Response(200, json={"items": self.members, "next": None})
        if rest == "/invitations" and method == "GET":
            return httpx.Response(200, json={"items": self.invitations, "next": None})
        if "owner" not in self.roles:
            return _problem(403, [])
        body = json.loads(request.content or b"{}")
        if rest == "/invitations":
            if body["email"].endswith("@taken.example"):
                return _problem(409, [{"field": "email", "message": "a member already"}])
            return httpx.Response(201, json={"id": "inv_1", **body})
        if rest == "/second-factor-requirement":
            self.requires_second_factor = body["required"]
            return httpx.Response(200, json={"requires_second_factor": body["required"]})
        if rest.startswith("/invitations/") and method == "DELETE":
            self.invitations = [i for i in self.invitations if i["id"] != rest.split("/")[2]]
            return httpx.Response(204)
        person_id = rest.split("/")[2]
        found = next((m for m in self.members if m["person_id"] == person_id), None)
        if found is None:
            return _problem(404, [])
        if person_id == "person_1":  # the last owner
            return _problem(409, [{"field": "roles", "message": "the last owner stays"}])
        if method == "PUT":
            found["roles"] = body["roles"]
            return httpx.Response(200, json=found)
        self.members.remove(found)
        return httpx.Response(204)


def workspace(roles: list[str], locale: str | None = None):
    """The portal on the fake, with a test client signed in as a member having `roles`."""
    catalog = CoresCatalog(roles, locale)
    app = portal_app(
        {"IPMARKET_PORTAL_SECRET_KEY": SECRET, "IPMARKET_PORTAL_URL": "http://127.0.0.1:8000"},
        CatalogApi("http://catalog.test", transport=httpx.MockTransport(catalog)),
        lambda: NOW,
    )
    client = app.test_client()
    answer = client.post(
        "/sign-in",
        data={
            "csrf_token": csrf_of(client.get("/sign-in").text),
            "email": "li.wei@xinyuan.example",
            "password": catalog.password,
        },
    )
    assert answer.status_code == 303, answer.text
    return client, catalog
