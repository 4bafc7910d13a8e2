"""A person's access token on every service, on PostgreSQL and Kafka: a person signs in at the
catalog's HTTP API and reads an authenticated endpoint of each service (catalog, licensing,
notify, deliverables) with the token; then their session is ended, or they are disabled, or
their membership is removed, and every service refuses the token within 2 seconds of the
catalog's answer (issue 15). The catalog's relay and the other services' consumers run in this
process, as `make run` runs them beside it."""

from __future__ import annotations

import importlib
import time

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from services.catalog import invitations, memberships, organisations, people_admin, sessions
from services.catalog.domain.people import Actor
from tests.support import wait_until

EMAIL, PASSWORD = "li.wei@xinyuan-micro.cn", "plum kettle orbit 47"
OPERATOR = Actor(platform_roles=frozenset({"operator"}), person_id="operator")
WITHIN = 2.0  # seconds: the bound, from the catalog's answer to every service's refusal


@pytest.fixture
def member(platform):
    """An approver of a vendor, signed in through the catalog's HTTP API, whose token every
    service accepts."""
    with platform.catalog.unit_of_work() as uow:
        vendor = organisations.register_organisation(
            uow, legal_name_en="Shanghai Xinyuan Microelectronics", country="CN", roles=["vendor"]
        )
        _, link = invitations.invite_member(uow, OPERATOR, vendor.id, EMAIL, ["approver"])
        person, _ = invitations.accept_invitation(
            uow, link, name_en="Li Wei", name_zh="李伟", password=PASSWORD
        )
        uow.commit()
        vendor_id, person_id = vendor.id, person.id
    signed_in = platform.clients["catalog"].post(
        "/v1/sessions", json={"email": EMAIL, "password": PASSWORD}
    )
    assert signed_in.status_code == 201, signed_in.json
    token = signed_in.json["access_token"]
    paths = platform.paths(vendor_id)
    for service, path in paths.items():  # licensing and notify once the events have arrived
        wait_until(
            lambda s=service, p=path: platform.status(s, p, token) == 200,
            timeout=30,
            what=f"{service} accepting the access token",
        )
    return {
        "vendor_id": vendor_id,
        "person_id": person_id,
        "session_id": signed_in.json["session_id"],
        "token": token,
        "paths": paths,
    }


def end_session(platform, member):
    with platform.catalog.unit_of_work() as uow:
        actor = Actor(person_id=member["person_id"])
        assert sessions.end_sessions(uow, actor, session_id=member["session_id"]) == 1
        uow.commit()


def disable_person(platform, member):
    with platform.catalog.unit_of_work() as uow:
        people_admin.disable_person(uow, EMAIL)
        uow.commit()


def remove_membership(platform, member):
    with platform.catalog.unit_of_work() as uow:
        memberships.remove_member(uow, OPERATOR, member["vendor_id"], member["person_id"])
        uow.commit()


@pytest.mark.parametrize(
    ("change", "refusal"),
    [(end_session, 401), (disable_person, 401), (remove_membership, 403)],
    ids=["session ended", "person disabled", "membership removed"],
)
def test_every_service_refuses_the_token_within_two_seconds(platform, member, change, refusal):
    change(platform, member)
    answered = time.monotonic()  # the catalog has committed: its answer
    refused_after: dict[str, float] = {}

    def every_service_refuses() -> bool:
        for service, path in member["paths"].items():
            if service not in refused_after:
                status = platform.status(service, path, member["token"])
                if status != 200:
                    assert status == refusal, f"{service} answered {status}"
                    refused_after[service] = time.monotonic() - answered
        return len(refused_after) == len(member["paths"])

    wait_until(every_service_refuses, timeout=10, interval=0.01, what="every refusal")
    print(
        f"\n{change.__name__}: refused after "
        + ", ".join(f"{s} {t * 1000:.0f} ms" for s, t in refused_after.items())
    )
    assert all(t < WITHIN for t in refused_after.values()), refused_after


def test_a_change_of_roles_holds_in_every_service_within_two_seconds(platform, member):
    with platform.catalog.unit_of_work() as uow:
        memberships.change_roles(
            uow, OPERATOR, member["vendor_id"], member["person_id"], ["viewer"]
        )
        uow.commit()
    answered = time.monotonic()
    changed_after: dict[str, float] = {}

    def every_service_has_the_new_roles() -> bool:
        for service, app in platform.apps.items():
            principal = app.extensions["ipmarket"].person_principal(member["token"], None)
            if service not in changed_after and principal.scopes == {"viewer"}:
                changed_after[service] = time.monotonic() - answered
        return len(changed_after) == len(platform.apps)

    wait_until(every_service_has_the_new_roles, timeout=10, interval=0.01, what="the new roles")
    print(
        "\nroles changed: held after "
        + ", ".join(f"{s} {t * 1000:.0f} ms" for s, t in changed_after.items())
    )
    assert all(t < WITHIN for t in changed_after.values()), changed_after


PEOPLE_DIRECTORY_TABLES = {
    "known_token_key",
    "known_person",
    "known_membership",
    "ended_session",
    "known_platform_roles",
}


@pytest.mark.databases("sqlite", "postgresql")
@pytest.mark.parametrize("service", ["licensing", "notify", "deliverables"])
def test_the_migration_makes_the_people_directory_as_the_models_say(make_database, service):
    models = importlib.import_module(f"services.{service}.models")
    engine = sa.create_engine(make_database(service))
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}),
            models.Base.metadata,
        )
    engine.dispose()
    about_people = [d for d in differences if PEOPLE_DIRECTORY_TABLES & set(str(d).split("'"))]
    assert about_people == []
    assert PEOPLE_DIRECTORY_TABLES <= set(models.Base.metadata.tables)


@pytest.mark.databases("sqlite", "postgresql")
@pytest.mark.parametrize("service", ["licensing", "notify", "deliverables"])
def test_the_migration_makes_the_key_projection_with_its_labels(make_database, service):
    models = importlib.import_module(f"services.{service}.models")
    engine = sa.create_engine(make_database(service))
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}),
            models.Base.metadata,
        )
        columns = {c["name"] for c in sa.inspect(connection).get_columns("known_api_key")}
    engine.dispose()
    assert [d for d in differences if "known_api_key" in str(d)] == []
    assert "name" in columns
