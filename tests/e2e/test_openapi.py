"""The three OpenAPI documents, checked by software nobody here wrote: openapi-spec-validator says
each is valid OpenAPI 3.1, and the schemathesis fuzzer sends each service (in-process, over WSGI,
on PostgreSQL) requests generated from its document, with every check on, and finds nothing the
document does not say: no server error, no undocumented status, content type, header or body,
no valid input refused and no invalid input accepted."""

from __future__ import annotations

import re
import uuid
from unittest.mock import patch

import pytest
import schemathesis
from openapi_spec_validator import validate
from schemathesis.engine import Status, events
from schemathesis.transport.wsgi import WSGITransport

from services.catalog.organisations import create_api_key, organisation_state, register_organisation
from shared.events import new_event

SERVICES = ("catalog", "licensing", "notify", "deliverables")
SEED = 20261202
REFERENCES = {"core_id", "offer_id", "request_id", "target_id"}
MAX_EXAMPLES = 8  # per operation and phase: the whole fuzz stays within a couple of minutes


@pytest.fixture(scope="module")
def apps(kafka_broker, make_postgres_database, tmp_path_factory):
    """Module-wide (a test's set-up was most of the time of the tests that read the document):
    each fuzzer writes only to its own service's database, which no other test here reads."""
    from services.catalog.app import create_app as catalog_app
    from services.deliverables.app import create_app as deliverables_app
    from services.licensing.app import create_app as licensing_app
    from services.notify.app import create_app as notify_app
    from tests.conftest import PLATFORM_SETTINGS

    with pytest.MonkeyPatch.context() as monkeypatch:
        env = {
            "IPMARKET_KAFKA_BOOTSTRAP": kafka_broker.bootstrap,
            # Nothing here publishes (no relay runs): the topics need not exist.
            "IPMARKET_TOPIC_PREFIX": f"t{uuid.uuid4().hex[:10]}",
            **PLATFORM_SETTINGS,
            # The payment provider's callback is fuzzed as configured (else it is 503 by design).
            "IPMARKET_PAYMENT_PROVIDER_SECRET": "whsec-fuzz-provider-secret",
            "IPMARKET_DELIVERABLES_DIR": str(tmp_path_factory.mktemp("deliverables")),
        }
        for service in SERVICES:
            env[f"IPMARKET_{service.upper()}_DATABASE_URL"] = make_postgres_database(service)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        apps = {"catalog": catalog_app(), "licensing": licensing_app(), "notify": notify_app()}
        apps["deliverables"] = deliverables_app()
        yield apps
    for app in apps.values():
        app.extensions["ipmarket"].engine.dispose()


@pytest.fixture(scope="module")
def throwaway_key(apps) -> str:
    """The key of a new organisation (vendor and licensee), known to all three services: the
    catalog registers it, and the others learn of it by their own handlers, as from Kafka."""
    from services.deliverables.handlers import event_handlers as deliverables_handlers
    from services.licensing.handlers import event_handlers as licensing_handlers
    from services.notify.handlers import event_handlers as notify_handlers

    with apps["catalog"].extensions["ipmarket"].unit_of_work() as uow:
        org = register_organisation(
            uow, legal_name_en="Fuzz Test Silicon", country="SG", roles=["vendor", "licensee"]
        )
        api_key, key = create_api_key(uow, org.id, "fuzz")
        uow.commit()
        found = [
            new_event(
                "ipmarket.organisation.registered.v1",
                "/ipmarket/catalog",
                org.id,
                organisation_state(org),
            ),
            new_event(
                "ipmarket.api_key.created.v1",
                "/ipmarket/catalog",
                org.id,
                {
                    "key_id": api_key.id,
                    "organisation_id": org.id,
                    "name": api_key.name,
                    "key_hash": api_key.key_hash,
                    "created_at": api_key.created_at.isoformat(),
                },
            ),
        ]
    for service, handlers in (
        ("licensing", licensing_handlers()),
        ("notify", notify_handlers()),
        ("deliverables", deliverables_handlers()),
    ):
        context = apps[service].extensions["ipmarket"]
        for event in found:
            with context.session_factory() as session, session.begin():
                handlers[event.type](event, session)
    return key


@pytest.mark.parametrize("service", SERVICES)
def test_each_document_is_valid_openapi_3_1(apps, service):
    document = apps[service].test_client().get("/openapi.json").json
    assert document["openapi"] == "3.1.0"
    validate(document)


OPAQUE = {"cursor", "token", "second_factor_token", "refresh_token"}

PUBLIC = {  # operations anyone may call without a key (security: [])
    "catalog": {
        "GET /v1/cores",
        "GET /v1/cores/{core_id}",
        "GET /v1/cores/taxonomy",
        "GET /v1/cores/{core_id}/versions",
        "GET /v1/cores/{core_id}/ipxact",
        # Joining and signing in: before a person has any credential.
        "POST /v1/organisation-applications",
        "POST /v1/invitations/accept",
        "POST /v1/sessions",
        "POST /v1/sessions/second-factor",
        "POST /v1/sessions/second-factor/setup",
        "POST /v1/sessions/second-factor/confirm",
        "POST /v1/sessions/refresh",
        "POST /v1/sessions/passkey/options",
        "POST /v1/sessions/passkey",
        "POST /v1/sessions/password-reset",
        "POST /v1/sessions/password-reset/complete",
    },
    "licensing": {
        "GET /.well-known/jwks.json",
        "GET /v1/licenses/status-list",
        "POST /v1/licenses/verify",
        "POST /v1/payments/callback",
    },
    "notify": set(),
    "deliverables": {
        "GET /.well-known/jwks.json",
        # A short-lived signed link is its own credential (a download tool holds no key).
        "GET /v1/package-files/{package_file_id}/content",
    },
}


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_declares_its_answer_its_problems_and_who_may_call_it(apps, service):
    document = apps[service].test_client().get("/openapi.json").json
    responses = document["components"]["responses"]
    public = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":  # the path's own, shared by its operations
                continue
            label = f"{method.upper()} {path}"
            statuses = operation["responses"]
            success = [s for s in statuses if s.startswith("2")]
            assert success, label
            if statuses[success[0]] != {"description": "No Content"}:
                assert statuses[success[0]]["content"], label
            assert "401" in statuses and "default" not in statuses, label
            for status, response in statuses.items():
                if status.startswith(("4", "5")) and (path, status) != ("/readyz", "503"):
                    content = responses[response["$ref"].rsplit("/", 1)[1]]["content"]
                    assert content == {
                        "application/problem+json": {
                            "schema": {"$ref": "#/components/schemas/Problem"}
                        }
                    }, (label, status)
            if "requestBody" in operation:
                assert {"400", "415", "422"} <= set(statuses), label
            if operation.get("security") == []:
                public.add(label)
    assert public == PUBLIC[service] | {"GET /healthz", "GET /readyz"}


def not_the_documents_fault(context, failure, case, response) -> bool:
    """filter_failure hook: False for the few failures no document could prevent, each named:
    a quirk of the tool, or a valid request refused for the state it meets, not its shape."""
    # schemathesis counts application/jwt (RFC 7519) among JSON media types and so fails to
    # parse the compact JWS of the status list as JSON, whose document says a string.
    if (
        response.headers.get("content-type", [""])[0].startswith("application/jwt")
        and "JSON deserialization" in failure.title
    ):
        return False
    if type(failure).__name__ != "RejectedPositiveData":
        return True
    problem = response.json() if response.status_code >= 400 else {}
    fields = {error.get("field") for error in problem.get("errors", [])}
    label = case.operation.label
    # An IP-XACT component is XML: a JSON Schema cannot say which documents are components.
    if label == "POST /v1/cores/import" and response.status_code == 422:
        return False
    # A cursor is opaque: only one the API handed out is valid, whatever its shape. So are the
    # signed tokens of joining and signing in (an invitation's link, a second factor's token).
    if response.status_code == 422 and fields and fields <= OPAQUE:
        return False
    # If-Match naming another version than the current one is 412 however well formed it is.
    if response.status_code == 412 and fields == {"If-Match"}:
        return False
    # An id in the body naming another resource (a core to license or watch, a request to
    # order) that does not exist: 422, since the request's target exists; which ids do is state.
    if response.status_code == 422 and fields and fields <= REFERENCES:
        return False
    # A webhook URL whose host does not resolve, or resolves to an address webhooks may not
    # reach: the state of the network, not the shape of the URL.
    if (
        response.status_code == 422
        and fields == {"url"}
        and ("resolve" in problem.get("detail", ""))
    ):
        return False
    # An offer_id kept in a change must be one of the core's offers: the core's state.
    if (
        response.status_code == 422
        and fields
        and all(re.fullmatch(r"offers\.\d+\.offer_id", f or "") for f in fields)
    ):
        return False
    # An age public key ends in a Bech32 checksum, which no JSON Schema can state.
    if (
        label == "POST /v1/recipient-keys"
        and response.status_code == 422
        and fields == {"public_key"}
    ):
        return False
    # A passkey's answer is the browser's PublicKeyCredential JSON, a free-form object in the
    # document: no JSON Schema can keep lone surrogates out of its keys, which bounds refuses.
    if (
        response.status_code == 400
        and problem.get("type", "").endswith("/hostile-input")
        and problem.get("detail", "").startswith("credential.")
    ):
        return False
    # A key's scopes may name a platform role only in the platform's own organisation: the
    # organisation's kind, not the request's shape.
    if (
        label == "POST /v1/organisations/{organisation_id}/api-keys"
        and response.status_code == 422
        and "is not a scope a key of this organisation may carry" in problem.get("detail", "")
    ):
        return False
    # Publishing a draft that lacks what licensing needs: the draft's state, not the request.
    if label == "POST /v1/cores/{core_id}/publish" and response.status_code == 422:
        return False
    return True


_send_in_process = WSGITransport.send


def _send_without_socket_settings(self, case, *, session=None, **kwargs):
    # schemathesis 4.32.5 drops the socket-level settings it passes to the WSGI transport only
    # when a requests.Session comes with them, so the follow-up requests of some checks (sent
    # without one) reach werkzeug with `max_redirects` and fail: drop them in every case.
    for name in ("max_redirects", "verify", "cert", "proxies"):
        kwargs.pop(name, None)
    return _send_in_process(self, case, session=session, **kwargs)


def fuzz(app, headers: dict) -> list[str]:
    """Every failed check of a schemathesis run over `app`, one line each."""
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "cache": {"enabled": False},  # each run on its own, nothing kept between runs
            "headers": headers,
            # NUL in text is left out: refusing it (PostgreSQL cannot store it) is issue 13's.
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "database": "none",
                "mode": "all",
                "allow-x00": False,
            },
            "checks": {
                "enabled": True,
                # A required precondition header left out is what 428 is for (RFC 6585).
                "missing_required_header": {
                    "expected-statuses": [400, 401, 403, 406, 415, 422, 428]
                },
            },
            # Examples, coverage and fuzzing; the stateful phase (chains of calls by links) would
            # take the time budget of the whole suite.
            "phases": {"stateful": {"enabled": False}},
        }
    )
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app, config=config)
    schema.hook("filter_failure")(not_the_documents_fault)
    failures = []
    with patch.object(WSGITransport, "send", _send_without_socket_settings):
        run = list(schemathesis.engine.from_schema(schema).execute())
    for event in run:
        if isinstance(event, events.ScenarioFinished):
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.status == Status.FAILURE:
                        case = event.recorder.cases[case_id].value
                        interaction = event.recorder.interactions.get(case_id)
                        response = interaction.response if interaction else None
                        failure = check.failure_info.failure
                        failures.append(
                            f"{event.recorder.label} [{check.name}] "
                            f"{response.status_code if response else '-'}: {failure.title}: "
                            f"{failure.message[:400]}\n"
                            f"    <- {response.content[:300] if response else b''!r}\n"
                            f"    {case.as_curl_command()[:1000]}"
                        )
        elif isinstance(event, events.NonFatalError):
            failures.append(f"error in {event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            failures.append(f"fatal error: {event.exception!r}")
    return failures


@pytest.mark.timeout(900)  # a bounded run of ~2 min, far longer on a loaded machine
@pytest.mark.parametrize("service", SERVICES)
def test_fuzzer_finds_nothing_the_document_does_not_say(apps, throwaway_key, service):
    failures = fuzz(apps[service], {"Authorization": f"Bearer {throwaway_key}"})
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(sorted(set(failures)))
