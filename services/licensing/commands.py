"""The licensing service's part of the `ipmarket` command line: signing keys, offline license
verification and the scheduler (the payment provider simulator is in ipmarket/devtools)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from shared import config
from shared.command_line import CoreVersion
from shared.events.envelope import system_actor

COMMAND_LINE = system_actor("licensing.command_line")  # who the audit names for these


class UnusableInput(click.ClickException):
    exit_code = 2  # 1 means "verified, and not VALID"


def _load(source: str, what: str) -> str:
    """The text of a file, or of an http(s) URL."""
    if source.startswith(("http://", "https://")):
        import requests

        try:
            response = requests.get(source, timeout=10)
            response.raise_for_status()
        except requests.RequestException as exc:
            raise UnusableInput(f"cannot fetch the {what} from {source}: {exc}") from None
        return response.text
    try:
        return Path(source).read_text()
    except OSError as exc:
        raise UnusableInput(f"cannot read the {what} {source}: {exc.strerror}") from None


@click.group("license")
def license_group() -> None:
    """Work with license files offline."""


@license_group.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--jwks",
    "jwks_source",
    default=None,
    metavar="FILE|URL",
    help="Public keys (default: the licensing service's /.well-known/jwks.json).",
)
@click.option(
    "--status-list",
    "status_source",
    default=None,
    metavar="FILE|URL",
    help="Signed status list; without it revocations and suspensions are unknown.",
)
@click.option(
    "--core",
    type=CoreVersion(),
    default=None,
    metavar="VENDOR:LIBRARY:NAME:VERSION",
    help="Check that the license covers this core version.",
)
def verify_command(
    file: Path, jwks_source: str | None, status_source: str | None, core: str | None
) -> None:
    """Verify a license file (armoured or a bare compact JWS) and print the result as JSON:
    VALID exits 0, any other result 1, unusable inputs 2."""
    from services.licensing.domain.verification import (
        SignatureProblem,
        read_status_list,
        verify_license,
    )
    from shared.jws import public_keys_from_jwks

    jwks_source = jwks_source or f"{config.get('IPMARKET_LICENSING_URL')}/.well-known/jwks.json"
    try:
        keys = public_keys_from_jwks(json.loads(_load(jwks_source, "JWKS")))
    except json.JSONDecodeError:
        raise UnusableInput(f"the JWKS {jwks_source} is not JSON") from None
    statuses = None
    if status_source is not None:
        try:
            statuses = read_status_list(_load(status_source, "status list"), keys)
        except SignatureProblem as problem:
            raise UnusableInput(
                f"the status list is not usable: {problem.result.value}: {problem.detail}"
            ) from None
    else:
        click.echo(
            "warning: no --status-list: revocations and suspensions are not checked", err=True
        )
    result = verify_license(_load(str(file), "license file"), keys, statuses, core=core)
    click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    sys.exit(0 if result.valid else 1)


@click.group("keys")
def keys_group() -> None:
    """License signing keys."""


def _context_and_keyring():
    from services.licensing.app import build_context, build_keyring

    try:
        context = build_context()
        return context, build_keyring(context)
    except config.ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@keys_group.command("rotate")
def rotate_command() -> None:
    """Create a new signing key; older keys keep verifying until retired."""
    from services.licensing import audit

    context, keyring = _context_and_keyring()
    with context.session_factory() as session, session.begin():
        kid = keyring.rotate(session)
        audit.record(session, COMMAND_LINE, "admin", "key.rotated", "signing_key", kid)
    click.echo(json.dumps({"kid": kid, "signing": True}))


# A kid is a base64url thumbprint and may begin with "-": read as the key id, not an option.
@keys_group.command("retire", context_settings={"ignore_unknown_options": True})
@click.argument("kid")
def retire_command(kid: str) -> None:
    """Retire a key: licenses it signed stop verifying (UNKNOWN_KEY)."""
    from services.licensing import audit
    from shared.errors import DomainError, NotFound

    context, keyring = _context_and_keyring()
    try:
        with context.session_factory() as session, session.begin():
            keyring.retire(session, kid)
            audit.record(session, COMMAND_LINE, "admin", "key.retired", "signing_key", kid)
    except NotFound as exc:
        raise click.BadParameter(exc.detail, param_hint="'KID'") from None
    except DomainError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(json.dumps({"kid": kid, "retired": True}))


@keys_group.command("list")
def list_command() -> None:
    """The keys, newest first (public parts only)."""
    import sqlalchemy as sa

    from services.licensing.app import build_context
    from services.licensing.models import SigningKey

    context = build_context()  # public parts only: no secret needed
    with context.session_factory() as session:
        for key in session.scalars(sa.select(SigningKey).order_by(SigningKey.created_at.desc())):
            click.echo(
                json.dumps(
                    {
                        "kid": key.kid,
                        "created_at": key.created_at.isoformat(),
                        "retired_at": key.retired_at.isoformat() if key.retired_at else None,
                    }
                )
            )


@click.command("licensing-scheduler")
@click.option(
    "--interval",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds between two runs of the expiry checks.",
)
def scheduler_command(interval: float) -> None:
    """Send license expiry notices, expire licenses and lapse undecided requests, until
    SIGTERM. Safe to restart: what was sent is remembered."""
    from services.licensing.app import build_context
    from services.licensing.scheduler import LicensingScheduler
    from shared.runtime import configure_logging, run_until_signalled

    try:
        config.check_all()
    except config.ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    configure_logging("licensing-scheduler")
    run_until_signalled(LicensingScheduler(build_context(), interval_seconds=interval))


# click commands added at the top level of `ipmarket`.
COMMANDS: list = [license_group, keys_group, scheduler_command]
