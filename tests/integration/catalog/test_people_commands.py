"""`ipmarket people …` on a real database: create an operator (password from the prompt),
list, disable (sessions end at once), reset a second factor; bad input is one line, exit 2."""

from __future__ import annotations

import json

import pyotp
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from ipmarket.cli import main
from services.catalog import second_factor, sessions, sign_in
from services.catalog.app import build_context
from services.catalog.models import OutboxMessage
from services.catalog.people_models import Person
from services.catalog.records import SqlRecords
from shared.errors import NotAuthenticated
from shared.events import people as events

PASSWORD = "plum kettle orbit 47"
EMAIL = "ops@vip-platform.hk"


@pytest.fixture
def cli(make_database, monkeypatch):
    url = make_database("catalog")
    monkeypatch.setenv("IPMARKET_CATALOG_DATABASE_URL", url)
    context = build_context(url)
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(main, ["people", *args], input=input, catch_exceptions=False)

    yield run, context
    context.engine.dispose()


@pytest.mark.databases("sqlite", "postgresql")
def test_an_operator_is_created_from_the_prompt_listed_and_disabled(cli):
    run, context = cli
    result = run(
        "create-operator",
        "--email",
        EMAIL,
        "--name",
        "Chan Tai Man",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    person_id = json.loads(result.output.splitlines()[-1])["person_id"]
    listed = [json.loads(line) for line in run("list").output.splitlines()]
    assert [(p["email"], p["platform_roles"], p["disabled"]) for p in listed] == [
        (EMAIL, ["operator"], False)
    ]
    with context.unit_of_work() as uow:  # an operator's first sign-in sets up TOTP
        setup = sign_in.sign_in(uow, EMAIL, PASSWORD, client_address="127.0.0.1")
        generator = pyotp.parse_uri(sign_in.set_up_second_factor(uow, setup.second_factor_token))
        signed_in, _ = sign_in.confirm_second_factor(
            uow, setup.second_factor_token, generator.now(), client_address="127.0.0.1"
        )
        uow.commit()
    assert run("disable", EMAIL.upper()).exit_code == 0
    with context.unit_of_work() as uow, pytest.raises(NotAuthenticated):
        sessions.actor_for_access_token(uow, signed_in.access_token)
    with context.session_factory() as session:
        assert session.get(Person, person_id).disabled_at is not None
        assert (
            session.scalar(sa.select(OutboxMessage.event_type).order_by(OutboxMessage.seq.desc()))
            == events.PERSON_DISABLED
        )


def test_a_second_factor_is_reset_with_an_event(cli):
    run, context = cli
    run("create-operator", "--email", EMAIL, "--name", "Chan Tai Man", "--password", PASSWORD)
    with context.unit_of_work() as uow:
        records = SqlRecords(uow.session)
        person = records.person_by_email(EMAIL)
        second_factor.enrol(records, person.id, EMAIL, person.created_at)
        records.totp(person.id).confirmed_at = person.created_at
        uow.commit()
    result = run("reset-second-factor", EMAIL)
    assert json.loads(result.output)["had_second_factor"] is True
    with context.session_factory() as session:
        assert not second_factor.in_force(SqlRecords(session), person.id)
        assert (
            session.scalar(sa.select(OutboxMessage.event_type).order_by(OutboxMessage.seq.desc()))
            == events.SECOND_FACTOR_RESET
        )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("create-operator", "--email", EMAIL, "--name", "X", "--password", "short"), "password"),
        (
            ("create-operator", "--email", "not-an-address", "--name", "X", "--password", PASSWORD),
            "email",
        ),
        (("disable", "nobody@vip-platform.hk"), "email"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, args, message):
    run, context = cli
    result = CliRunner().invoke(main, ["people", *args])
    assert result.exit_code == 2 and message in result.output
    assert len(result.output.strip().splitlines()) == 1
    with context.session_factory() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Person)) == 0
