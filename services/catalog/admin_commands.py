"""`ipmarket admin`: the platform's first operator person (and, the first time, its
organisation and API key). Part of the catalog's command line (services/catalog/commands.py)."""

from __future__ import annotations

import getpass
import json
import socket

import click

from shared import config
from shared.command_line import Country, Email, Text, TimeZone, checked_settings
from shared.errors import DomainError
from shared.events.catalog import LOCALES
from shared.events.envelope import system_actor


def command_line_actor() -> str:
    """Who ran a command, for the people audit: the operating-system account and host (the
    command line has database access, not a signed-in person)."""
    return f"cli:{getpass.getuser()}@{socket.gethostname()}"


def command_line_event_actor(command: str) -> dict:
    """Who the events of a command name: the platform itself, by the command (`ipmarket …`),
    with the account that ran it (shared.events.envelope.ActorSchema's bounds)."""
    return system_actor(f"ipmarket {command}"[:64]) | {"name": command_line_actor()[:300]}


@click.group("admin")
def admin_group() -> None:
    """Platform administration."""


@admin_group.command("create")
# The contact's name is the legal name too: the shorter of their two limits (200 and 300).
@click.option(
    "--name",
    type=Text(max_length=200),
    default=None,
    help="Legal name of the platform operator (English); the first run needs it.",
)
@click.option(
    "--country", type=Country(), default="CN", show_default=True, help="ISO 3166-1 alpha-2 code."
)
@click.option("--email", type=Email(), required=True, help="The operator person's e-mail address.")
@click.option(
    "--timezone",
    "tz",
    type=TimeZone(),
    default="Asia/Shanghai",
    show_default=True,
    help="IANA time zone of the operator's notices.",
)
@click.option(
    "--locale",
    type=click.Choice(LOCALES),
    default="en",
    show_default=True,
    help="Language of the operator's notices.",
)
@click.option(
    "--operator-name",
    type=Text(max_length=200),
    default=None,
    help="The operator person's name (default: --email before the @).",
)
@click.option(
    "--invite",
    is_flag=True,
    help="Print an invitation link (once) that sets the password, instead of asking for it.",
)
@click.option("--another", is_flag=True, help="Add one more operator person to the platform.")
def admin_create(
    name: str | None,
    country: str,
    email: str,
    tz: str,
    locale: str,
    operator_name: str | None,
    invite: bool,
    another: bool,
) -> None:
    """Create the platform's first operator person (and, the first time, the admin organisation
    and its API key, shown once); a second run is refused unless --another. The password is
    asked for (hidden, twice) unless --invite."""
    from services.catalog.app import build_context
    from services.catalog.people_admin import audit, create_platform_operator

    checked_settings()
    if name is None and not another:
        raise click.BadParameter(
            "the first run needs the platform's legal name", param_hint="'--name'"
        )
    password = None if invite else _new_password()
    try:
        with build_context().unit_of_work(command_line_event_actor("admin create")) as uow:
            made = create_platform_operator(
                uow,
                email=email,
                name_en=operator_name or email.partition("@")[0],
                password=password,
                another=another,
                organisation={
                    "legal_name_en": name or "",
                    "country": country,
                    "locale": locale,
                    "timezone": tz,
                    "contacts": [{"name": name or "", "email": email, "notices": ["all"]}],
                },
            )
            audit(uow, command_line_actor(), "admin.create", email, {"invited": invite})
            uow.commit()
    except DomainError as error:
        raise click.UsageError(
            f"{error.field}: {error.detail}" if error.field else error.detail
        ) from None
    shown = {"organisation_id": made.organisation.id, "person_id": made.person.id, "email": email}
    if made.api_key is not None:
        shown |= {"key_id": made.api_key[0].id, "api_key": made.api_key[1]}
    if made.invitation_token is not None:
        portal = config.get("IPMARKET_PORTAL_URL").rstrip("/")
        shown["invitation_link"] = f"{portal}/invitations/accept?token={made.invitation_token}"
    click.echo(json.dumps(shown))


def _new_password() -> str:
    try:
        return click.prompt(
            "Password (at least 15 characters)",
            hide_input=True,
            confirmation_prompt=True,
            err=True,  # standard output stays the one JSON line
        )
    except click.Abort:
        raise click.UsageError(
            "a password is needed: type it at the prompt, or use --invite"
        ) from None
