"""The vendor's cores: the list by state, a core's page, its lifecycle offered by role and
state, drafting and editing, offers, and the IP-XACT import previewed before it is stored."""

from __future__ import annotations

import base64
import io
import json
import re

from tests.unit.services.portal.vendor.fake_cores import GOOD_XML, csrf_of, workspace


def test_the_list_shows_the_organisations_cores_by_state_with_links_to_each():
    client, _ = workspace(["viewer"])
    page = client.get("/vendor/cores").text
    assert 'href="/vendor/cores/core_1"' in page and 'href="/vendor/cores/core_2"' in page
    drafts = client.get("/vendor/cores?state=draft").text
    assert "/vendor/cores/core_1" in drafts and "/vendor/cores/core_2" not in drafts
    assert 'href="/vendor/cores"' in page  # the workspace's nav
    assert "/vendor/cores/import" not in page  # a viewer reads only


def test_a_viewer_reads_a_core_but_is_offered_no_action_and_cannot_post_one():
    client, catalog = workspace(["viewer"])
    page = client.get("/vendor/cores/core_2").text
    assert "UART controller" in page and "acme.example:ip:uart:2.0" in page
    for action in ("deprecate", "withdraw", "edit", "offers"):
        assert f"/vendor/cores/core_2/{action}" not in page
    token = {"deprecate-csrf_token": csrf_of(page)}
    assert client.post("/vendor/cores/core_2/deprecate", data=token).status_code == 404
    assert client.get("/vendor/cores/import").status_code == 404
    assert client.get("/vendor/cores/core_2/edit").status_code == 404
    assert catalog.changes() == []


def test_a_publisher_is_offered_the_transitions_the_state_allows_and_publishes():
    client, catalog = workspace(["publisher"])
    draft = client.get("/vendor/cores/core_1").text
    assert 'action="/vendor/cores/core_1/publish"' in draft
    assert "/vendor/cores/core_1/withdraw" not in draft
    published = client.get("/vendor/cores/core_2").text
    assert "/vendor/cores/core_2/deprecate" in published and "/withdraw" in published
    # the draft has no offer: the catalog refuses, and the page says what is missing
    answer = client.post(
        "/vendor/cores/core_1/publish", data={"publish-csrf_token": csrf_of(draft)}
    )
    assert answer.status_code == 422
    assert "Add at least one license offer before publishing." in answer.text
    assert catalog.cores["core_1"]["status"] == "draft"
    answer = client.post(
        "/vendor/cores/core_2/deprecate", data={"deprecate-csrf_token": csrf_of(published)}
    )
    assert answer.status_code == 303 and catalog.cores["core_2"]["status"] == "deprecated"


def test_an_offer_is_added_to_the_offers_the_core_has_with_its_version():
    client, catalog = workspace(["publisher"], locale="zh-Hans")
    page = client.get("/vendor/cores/core_1").text
    data = {
        "csrf_token": csrf_of(page),
        "kind": "single_project",
        "amount": "12.5x",
        "currency": "CNY",
        "requires_approval": "y",
    }
    answer = client.post("/vendor/cores/core_1/offers", data=data)
    assert answer.status_code == 422 and 'id="amount-error"' in answer.text
    assert catalog.changes() == []
    answer = client.post("/vendor/cores/core_1/offers", data=data | {"amount": "12000.00"})
    assert answer.status_code == 303
    [patch] = catalog.changes()
    assert patch.method == "PATCH" and patch.headers["If-Match"] == '"1"'
    assert json.loads(patch.content)["offers"] == [
        {
            "kind": "single_project",
            "on_request": False,
            "requires_approval": True,
            "price": {"amount": "12000.00", "currency": "CNY"},
            "term_months": None,
        }
    ]


def test_a_draft_is_made_from_the_form_and_a_refusal_is_shown_beside_the_vlnv():
    client, catalog = workspace(["owner"])
    page = client.get("/vendor/cores/new").text
    data = {
        "csrf_token": csrf_of(page),
        "vlnv_vendor": "not.ours",
        "vlnv_library": "ip",
        "vlnv_name": "ddr4",
        "vlnv_version": "1 beta",
        "title_en": "DDR4 controller",
        "category": "memories",
    }
    answer = client.post("/vendor/cores/new", data=data)
    assert answer.status_code == 422 and 'id="vlnv_version-error"' in answer.text
    assert catalog.changes() == []
    answer = client.post("/vendor/cores/new", data=data | {"vlnv_version": "1.0"})
    assert answer.status_code == 422 and "not your vendor name" in answer.text
    answer = client.post(
        "/vendor/cores/new", data=data | {"vlnv_vendor": "xinyuan.example", "vlnv_version": "1.0"}
    )
    assert answer.status_code == 303 and answer.location.endswith("/vendor/cores/core_9")
    assert catalog.cores["core_9"]["category"] == "memories"


def test_editing_sends_the_description_with_if_match():
    client, catalog = workspace(["owner"])
    page = client.get("/vendor/cores/core_1/edit").text
    assert 'value="UART controller"' in page
    answer = client.post(
        "/vendor/cores/core_1/edit",
        data={
            "csrf_token": csrf_of(page),
            "title_en": "UART controller v2",
            "eccn": "EAR99",
            "category": "processors",
            "deliverable_kinds": ["soft_rtl"],
        },
    )
    assert answer.status_code == 303
    body = json.loads(catalog.changes()[0].content)
    assert body["title_en"] == "UART controller v2" and body["deliverable_kinds"] == ["soft_rtl"]


def upload(client, content: bytes):
    page = client.get("/vendor/cores/import").text
    return client.post(
        "/vendor/cores/import",
        data={"csrf_token": csrf_of(page), "component": (io.BytesIO(content), "alu.xml")},
        content_type="multipart/form-data",
    )


def test_an_ip_xact_file_is_previewed_then_imported_when_confirmed():
    client, catalog = workspace(["publisher"])
    preview = upload(client, GOOD_XML)
    assert preview.status_code == 200, preview.text
    assert "What will be imported" in preview.text and "alu.v" in preview.text
    assert "core_7" not in catalog.cores
    hidden = re.search(r'name="component" type="hidden" value="([^"]+)"', preview.text)
    assert base64.b64decode(hidden.group(1)) == GOOD_XML
    answer = client.post(
        "/vendor/cores/import/confirm",
        data={"csrf_token": csrf_of(preview.text), "component": hidden.group(1)},
    )
    assert answer.status_code == 303 and answer.location.endswith("/vendor/cores/core_7")
    assert "core_7" in catalog.cores


def test_bad_xml_is_refused_beside_the_file_field_in_the_pages_language():
    client, catalog = workspace(["publisher"], locale="zh-Hant")
    answer = upload(client, b"<component")
    assert answer.status_code == 422
    error = re.search(r'id="component-error">([^<]+)<', answer.text).group(1)
    assert "line 1, column 10" in error and "XML" in error
    assert not error.startswith("This file")  # in Traditional Chinese
    assert [c.url.params.get("dry_run") for c in catalog.changes()] == ["true"]


def test_a_file_over_the_forms_bound_but_under_2_mb_reaches_the_import_only():
    client, _ = workspace(["publisher"])
    large = GOOD_XML + b" " * (300 * 1024)
    answer = upload(client, large)
    assert answer.status_code == 422  # the fake refuses other content: the body got through
    assert "component-error" in answer.text
    assert upload(client, b" " * (2 * 1024 * 1024 + 1)).status_code in (413, 422)
    page = client.get("/vendor/cores/new").text
    big_form = {"csrf_token": csrf_of(page), "title_en": "x" * (100 * 1024)}
    assert client.post("/vendor/cores/new", data=big_form).status_code == 413


def test_an_offer_is_changed_keeping_its_id_and_what_the_form_does_not_show():
    client, catalog = workspace(["publisher"])
    core_page = client.get("/vendor/cores/core_2").text
    assert 'href="/vendor/cores/core_2/offers/o1"' in core_page
    page = client.get("/vendor/cores/core_2/offers/o1").text
    assert 'value="25000.00"' in page
    data = {
        "csrf_token": csrf_of(page),
        "kind": "single_project",
        "amount": "many",
        "currency": "CNY",
        "term_months": "24",
        "requires_approval": "y",
    }
    answer = client.post("/vendor/cores/core_2/offers/o1", data=data)
    assert answer.status_code == 422 and 'id="amount-error"' in answer.text
    assert catalog.changes() == []
    answer = client.post("/vendor/cores/core_2/offers/o1", data=data | {"amount": "30000.00"})
    assert answer.status_code == 303
    [patch] = catalog.changes()
    [offer] = json.loads(patch.content)["offers"]
    assert offer["offer_id"] == "o1" and offer["seats"] == 5  # kept
    assert (offer["price"], offer["term_months"]) == (
        {"amount": "30000.00", "currency": "CNY"},
        24,
    )
    assert client.get("/vendor/cores/core_2/offers/nope").status_code == 404


def test_removing_the_last_offer_of_a_published_core_is_refused_and_said_why():
    client, catalog = workspace(["publisher"], locale="zh-Hans")
    page = client.get("/vendor/cores/core_2").text
    token = {"remove-o1-csrf_token": csrf_of(page)}
    answer = client.post("/vendor/cores/core_2/offers/o1/remove", data=token)
    assert answer.status_code == 422 and 'id="refusal"' in answer.text
    assert [o["offer_id"] for o in catalog.cores["core_2"]["offers"]] == ["o1"]
    catalog.cores["core_2"]["offers"].append(
        {**catalog.cores["core_2"]["offers"][0], "offer_id": "o2"}
    )
    answer = client.post("/vendor/cores/core_2/offers/o1/remove", data=token)
    assert answer.status_code == 303
    assert [o["offer_id"] for o in catalog.cores["core_2"]["offers"]] == ["o2"]


def test_a_viewer_is_offered_no_change_of_an_offer():
    client, catalog = workspace(["viewer"])
    page = client.get("/vendor/cores/core_2").text
    assert "/offers/o1" not in page
    assert client.get("/vendor/cores/core_2/offers/o1").status_code == 404
    token = {"remove-o1-csrf_token": csrf_of(page)}
    assert client.post("/vendor/cores/core_2/offers/o1/remove", data=token).status_code == 404
    assert catalog.changes() == []
