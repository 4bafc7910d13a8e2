"""`ipmarket admin create` and `ipmarket people …` on a real database: the first operator
(password from the prompt, or an invitation link), a second run refused without --another; list,
disable (sessions end at once), reset a second factor, each in the people audit; bad input is
one line, exit 2."""

from __future__ import annotations

import json

import pyotp
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from ipmarket.cli import main
from services.catalog import invitations, second_factor, sessions, sign_in
from services.catalog.app import build_context
from services.catalog.models import Organisation, OutboxMessage
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
        (("platform-roles", "nobody@vip-platform.hk", "--role", "operator"), "email"),
        (("platform-roles", EMAIL, "--role", "superuser"), "superuser"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, args, message):
    run, context = cli
    result = CliRunner().invoke(main, ["people", *args])
    assert result.exit_code == 2 and message in result.output
    assert len(result.output.strip().splitlines()) == 1
    with context.session_factory() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Person)) == 0


def admin_create(*args, input=None):
    return CliRunner().invoke(main, ["admin", "create", *args], input=input)


def count(context, model) -> int:
    with context.session_factory() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model))


def test_admin_create_makes_the_first_operator_and_refuses_a_second_run(cli):
    run, context = cli
    first = admin_create(
        *("--name", "Science Park IP Platform", "--email", EMAIL, "--operator-name", "Chan"),
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert first.exit_code == 0, first.output
    made = json.loads(first.stdout.splitlines()[-1])
    assert made["api_key"] and made["email"] == EMAIL
    with context.unit_of_work() as uow:  # an operator: the password, then a second factor
        pending = sign_in.sign_in(uow, EMAIL, PASSWORD, client_address="127.0.0.1")
        assert isinstance(pending, sign_in.SecondFactorNeeded) and pending.setup
        records = SqlRecords(uow.session)
        (membership,) = records.memberships_of(made["person_id"])
        assert (membership.organisation_id, membership.roles) == (
            made["organisation_id"],
            ["owner"],
        )
    again = admin_create(
        "--name", "Another Platform", "--email", "ops2@vip-platform.hk", "--invite"
    )
    assert again.exit_code == 2 and len(again.output.strip().splitlines()) == 1
    assert "--another" in again.output
    assert (count(context, Organisation), count(context, Person)) == (1, 1)
    assert [line["action"] for line in audit(run)] == ["admin.create"]


def test_another_operator_is_invited_and_the_link_sets_the_password(cli):
    run, context = cli
    admin_create("--name", "Park", "--email", EMAIL, input=f"{PASSWORD}\n{PASSWORD}\n")
    other = "lee@vip-platform.hk"
    result = admin_create("--another", "--invite", "--email", other, "--operator-name", "Lee")
    assert result.exit_code == 0, result.output
    made = json.loads(result.output)
    assert "api_key" not in made  # the platform's organisation and key were made once
    link = made["invitation_link"]
    assert link.startswith("http://localhost:8000/invitations/accept?token=")
    with context.unit_of_work() as uow:
        with pytest.raises(NotAuthenticated):  # no password until the link sets one
            sign_in.sign_in(uow, other, PASSWORD, client_address="127.0.0.1")
        uow.commit()
    with context.unit_of_work() as uow:
        invitations.accept_invitation(uow, link.partition("token=")[2], password=PASSWORD)
        uow.commit()
    with context.unit_of_work() as uow:
        pending = sign_in.sign_in(uow, other, PASSWORD, client_address="127.0.0.1")
        assert isinstance(pending, sign_in.SecondFactorNeeded) and pending.setup
    assert count(context, Organisation) == 1


@pytest.mark.parametrize(
    ("args", "typed", "message"),
    [
        (("--name", "Park", "--email", EMAIL), "", "a password is needed"),
        (("--name", "Park", "--email", EMAIL), "short\nshort\n", "password"),
        (("--email", EMAIL, "--invite"), None, "--name"),
        (("--another", "--email", EMAIL, "--invite"), None, "no platform operator yet"),
    ],
)
def test_admin_create_bad_input_is_one_line_exit_2_and_changes_nothing(cli, args, typed, message):
    _, context = cli
    result = admin_create(*args, input=typed)
    assert result.exit_code == 2 and message in result.output, result.output
    lines = result.output.strip().splitlines()  # after the prompts, if any: one line
    assert lines[-1].startswith("Error: ") and (typed is not None or len(lines) == 1)
    assert (count(context, Organisation), count(context, Person)) == (0, 0)


def audit(run) -> list[dict]:
    return [json.loads(line) for line in run("audit").output.splitlines()]


def test_every_people_command_writes_the_audit(cli):
    run, _ = cli
    run("create-operator", "--email", EMAIL, "--name", "Chan Tai Man", "--password", PASSWORD)
    run("list")
    run("reset-second-factor", EMAIL)
    run("disable", EMAIL)
    trail = audit(run)
    assert [(r["action"], r["subject"]) for r in trail] == [
        ("people.disable", EMAIL),
        ("people.reset_second_factor", EMAIL),
        ("people.list", None),
        ("people.create_operator", EMAIL),
    ]
    assert all(r["actor"].startswith("cli:") for r in trail)
    assert trail[2]["detail"] == {"organisation_id": None, "count": 1}


def test_platform_roles_are_set_with_an_event_an_audit_and_the_last_operator_stays(cli):
    run, context = cli
    run("create-operator", "--email", EMAIL, "--name", "Chan Tai Man", "--password", PASSWORD)
    reviewer = "rita.view@vip-platform.hk"
    run("create-operator", "--email", reviewer, "--name", "Rita View", "--password", PASSWORD)
    result = run("platform-roles", reviewer, "--role", "export_reviewer")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["platform_roles"] == ["export_reviewer"]
    refused = run("platform-roles", EMAIL)  # the last operator
    assert refused.exit_code == 2 and "last operator" in refused.output
    with context.session_factory() as session:
        messages = session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.event_type == events.PLATFORM_ROLES_CHANGED)
            .order_by(OutboxMessage.seq)
        ).all()
        roles_of = session.scalar(sa.select(Person.platform_roles).where(Person.email == EMAIL))
    assert roles_of == ["operator"]  # unchanged by the refusal
    changes = [json.loads(m.payload) for m in messages]
    assert [(c["data"]["email"], c["data"]["platform_roles"]) for c in changes] == [
        (EMAIL, ["operator"]),
        (reviewer, ["operator"]),
        (reviewer, ["export_reviewer"]),
    ]
    assert changes[-1]["actorid"] == "ipmarket people platform-roles"
    assert changes[-1]["actorname"].startswith("cli:")
    [record] = [r for r in audit(run) if r["action"] == "people.platform_roles"]
    assert record["detail"] == {"before": ["operator"], "after": ["export_reviewer"]}
