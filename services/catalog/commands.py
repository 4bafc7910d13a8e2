"""The catalog service's part of the `ipmarket` command line: people (the demo loader moved to
ipmarket/devtools: it is a developer's tool, not the service's)."""

from __future__ import annotations

import json

import click

from services.catalog.admin_commands import (
    admin_group,
    command_line_actor,
    command_line_event_actor,
)
from shared.errors import DomainError


class Refused(click.ClickException):
    exit_code = 2  # bad input: one line, changes nothing


def _context():
    from services.catalog.app import build_context

    return build_context()


def _refused(error: DomainError) -> Refused:
    return Refused(f"{error.field}: {error.detail}" if error.field else error.detail)


@click.group("people")
def people_group() -> None:
    """People who sign in: list, create an operator, disable, reset a second factor."""


@people_group.command("create-operator")
@click.option("--email", required=True, help="The operator's e-mail address (sign-in name).")
@click.option("--name", required=True, help="The operator's name in English.")
@click.password_option("--password", help="Asked for when not given (at least 15 characters).")
def create_operator_command(email: str, name: str, password: str) -> None:
    """Make a platform operator person (the first, or another). They set up a second factor
    at their first sign-in."""
    from services.catalog.people import create_operator
    from services.catalog.people_admin import audit

    try:
        with _context().unit_of_work(command_line_event_actor("people create-operator")) as uow:
            person = create_operator(uow, email, name, password)
            audit(uow, command_line_actor(), "people.create_operator", person.email)
            uow.commit()
    except DomainError as error:
        raise _refused(error) from None
    click.echo(json.dumps({"person_id": person.id, "email": person.email}))


@people_group.command("list")
@click.option("--organisation", "organisation_id", default=None, help="Its members only.")
def list_command(organisation_id: str | None) -> None:
    """Print everyone (one JSON object a line), by e-mail address (the people audit records
    the reading)."""
    from services.catalog.people_admin import audit, list_people

    with _context().unit_of_work() as uow:
        found = list_people(uow.session, organisation_id)
        audit(
            uow,
            command_line_actor(),
            "people.list",
            detail={"organisation_id": organisation_id, "count": len(found)},
        )
        uow.commit()
    for person in found:
        click.echo(json.dumps(person, ensure_ascii=False))


@people_group.command("disable")
@click.argument("email")
def disable_command(email: str) -> None:
    """Disable a person: no more sign-ins, every session ends (an event records it)."""
    from services.catalog.people_admin import audit, disable_person

    try:
        with _context().unit_of_work(command_line_event_actor("people disable")) as uow:
            person = disable_person(uow, email)
            audit(uow, command_line_actor(), "people.disable", person.email)
            uow.commit()
    except DomainError as error:
        raise _refused(error) from None
    click.echo(json.dumps({"person_id": person.id, "disabled": True}))


@people_group.command("platform-roles")
@click.argument("email")
@click.option(
    "--role",
    "platform_roles",
    multiple=True,
    type=click.Choice(("operator", "export_reviewer")),
    help="A platform role the person holds from now on (repeat for both; none: no longer any).",
)
def platform_roles_command(email: str, platform_roles: tuple[str, ...]) -> None:
    """Set a person's platform roles (operator, export_reviewer): every service acts on the
    change within seconds (an event records it), and export reviewers are told of requests
    waiting for them."""
    from services.catalog.people_admin import audit, set_platform_roles

    try:
        with _context().unit_of_work(command_line_event_actor("people platform-roles")) as uow:
            person, before = set_platform_roles(uow, email, list(platform_roles))
            audit(
                uow,
                command_line_actor(),
                "people.platform_roles",
                person.email,
                {"before": before, "after": list(person.platform_roles)},
            )
            uow.commit()
    except DomainError as error:
        raise _refused(error) from None
    click.echo(json.dumps({"person_id": person.id, "platform_roles": list(person.platform_roles)}))


@people_group.command("reset-second-factor")
@click.argument("email")
def reset_second_factor_command(email: str) -> None:
    """Remove a person's TOTP and recovery codes, e.g. after a lost phone (an event records
    it); they set up new ones at their next sign-in."""
    from services.catalog.people_admin import audit, reset_second_factor

    try:
        with _context().unit_of_work(command_line_event_actor("people reset-second-factor")) as uow:
            had_one = reset_second_factor(uow, email)
            audit(
                uow,
                command_line_actor(),
                "people.reset_second_factor",
                email.strip(),
                {"had_second_factor": had_one},
            )
            uow.commit()
    except DomainError as error:
        raise _refused(error) from None
    click.echo(json.dumps({"email": email, "had_second_factor": had_one}))


@people_group.command("audit")
@click.option("--limit", type=click.IntRange(1, 10000), default=100, show_default=True)
def audit_command(limit: int) -> None:
    """Print the people audit, newest first (one JSON object a line)."""
    from services.catalog.people_admin import audit_trail

    with _context().session_factory() as session:
        for record in audit_trail(session, limit):
            click.echo(
                json.dumps(
                    {
                        "at": record.at.isoformat(),
                        "actor": record.actor,
                        "action": record.action,
                        "subject": record.subject,
                        "detail": record.detail,
                    },
                    ensure_ascii=False,
                )
            )


# click commands added at the top level of `ipmarket`.
COMMANDS: list = [people_group, admin_group]
