"""GET /v1/cores/<id> and its versions are answered from representations kept by each core's
stamp (services/catalog/core_representations.py): on SQLite and PostgreSQL, a change of any
kind is shown at the next read, with its ETag, and what a vendor may see of its draft is never
shown to anyone else."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from services.catalog.models import Core
from tests.integration.catalog.conftest import assert_problem, create_core

pytestmark = pytest.mark.databases("sqlite", "postgresql")


def read(catalog, core_id: str, auth: dict | None = None):
    answer = catalog.client.get(f"/v1/cores/{core_id}", headers=auth or {})
    assert answer.status_code == 200, answer.get_data(True)
    return answer


def versions(catalog, core_id: str, auth: dict | None = None) -> list[str]:
    answer = catalog.client.get(f"/v1/cores/{core_id}/versions", headers=auth or {})
    assert answer.status_code == 200, answer.get_data(True)
    return [(item["vlnv"]["version"], item["status"]) for item in answer.json["items"]]


def test_a_change_is_read_at_once_with_its_etag(catalog):
    core = create_core(catalog, publish=True)
    first = read(catalog, core["id"])
    assert read(catalog, core["id"]).get_data() == first.get_data()  # kept, the same bytes
    auth = {**catalog.vendor.auth, "If-Match": first.headers["ETag"]}
    changed = {"description_en": "Now with DFI 5.1 training."}
    patched = catalog.client.patch(f"/v1/cores/{core['id']}", json=changed, headers=auth)
    assert patched.status_code == 200
    after = read(catalog, core["id"])
    assert after.json["description_en"] == "Now with DFI 5.1 training."
    assert after.headers["ETag"] == f'"{core["version"] + 1}"' != first.headers["ETag"]


def test_a_row_changed_by_sql_alone_is_read_too(catalog):
    """An UPDATE outside the ORM leaves `version` as it was; `updated_at` still moves."""
    core = create_core(catalog, publish=True)
    read(catalog, core["id"])
    versions(catalog, core["id"])
    with catalog.context.session_factory() as session:
        session.execute(
            sa.update(Core).where(Core.id == core["id"]).values(title_en="DDR5 PHY, 6400 MT/s")
        )
        session.commit()
    assert read(catalog, core["id"]).json["title_en"] == "DDR5 PHY, 6400 MT/s"
    (summary,) = catalog.client.get(f"/v1/cores/{core['id']}/versions").json["items"]
    assert summary["title_en"] == "DDR5 PHY, 6400 MT/s"


def test_versions_follow_the_line_and_a_draft_is_its_vendors_alone(catalog):
    core = create_core(catalog, publish=True)
    assert versions(catalog, core["id"]) == [("1.0.0", "published")]
    draft = create_core(catalog, version="1.1.0")
    read(catalog, draft["id"], catalog.vendor.auth)  # kept, as its vendor saw it
    assert versions(catalog, core["id"], catalog.vendor.auth) == [
        ("1.0.0", "published"),
        ("1.1.0", "draft"),
    ]
    assert versions(catalog, core["id"]) == [("1.0.0", "published")]
    assert_problem(catalog.client.get(f"/v1/cores/{draft['id']}"), 404)
    assert_problem(catalog.client.get(f"/v1/cores/{draft['id']}/versions"), 404)
    assert_problem(
        catalog.client.get(f"/v1/cores/{draft['id']}", headers=catalog.licensee.auth), 404
    )
    published = catalog.client.post(f"/v1/cores/{draft['id']}/publish", headers=catalog.vendor.auth)
    assert published.status_code == 200
    assert read(catalog, draft["id"]).json["status"] == "published"
    assert versions(catalog, core["id"]) == [("1.0.0", "published"), ("1.1.0", "published")]


def test_a_core_is_read_with_its_versions_in_one_call_as_each_reader_may_see_them(catalog):
    core = create_core(catalog, publish=True)
    draft = create_core(catalog, version="1.1.0")
    path = f"/v1/cores/{core['id']}?include=versions"
    for auth, seen in (
        (None, [("1.0.0", "published")]),
        (catalog.vendor.auth, [("1.0.0", "published"), ("1.1.0", "draft")]),
        (catalog.licensee.auth, [("1.0.0", "published")]),
    ):
        answer = read(catalog, core["id"], auth)
        with_versions = catalog.client.get(path, headers=auth or {})
        assert with_versions.status_code == 200
        assert with_versions.headers["ETag"] == answer.headers["ETag"]
        body = with_versions.json
        assert [(v["vlnv"]["version"], v["status"]) for v in body.pop("versions")] == seen
        assert body == answer.json  # the core as GET /v1/cores/<id> shows it
        listed = catalog.client.get(f"/v1/cores/{core['id']}/versions", headers=auth or {})
        assert with_versions.json["versions"] == listed.json["items"]
    assert_problem(catalog.client.get(f"/v1/cores/{draft['id']}?include=versions"), 404)
    # A change to another version of the line is shown at the next read.
    catalog.client.post(f"/v1/cores/{draft['id']}/publish", headers=catalog.vendor.auth)
    versions_now = catalog.client.get(path).json["versions"]
    assert [v["status"] for v in versions_now] == ["published", "published"]


def test_what_else_may_be_included_is_refused_naming_the_parameter(catalog):
    core = create_core(catalog, publish=True)
    for query, field in (
        ("include=offers", "include.0"),
        ("include=versions&include=versions", "include"),
        ("expand=versions", "expand"),
    ):
        assert_problem(catalog.client.get(f"/v1/cores/{core['id']}?{query}"), 422, field)
