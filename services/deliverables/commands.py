"""The deliverables service's part of the `ipmarket` command line (serve, relay, consume and
migrate come from the common commands)."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("deliverables-scheduler")
@click.option(
    "--interval",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Seconds between two sweeps of unfinished uploads.",
)
def scheduler_command(interval: float) -> None:
    """Expire uploads left unfinished (IPMARKET_DELIVERABLE_UPLOAD_EXPIRY_HOURS), deleting
    their parts from the store, until SIGTERM."""
    from services.deliverables.app import build_context
    from services.deliverables.scheduler import DeliverablesScheduler
    from services.deliverables.storage import store_from_settings
    from shared.command_line import checked_settings
    from shared.runtime import configure_logging, run_until_signalled

    checked_settings()
    configure_logging("deliverables-scheduler")
    scheduler = DeliverablesScheduler(
        build_context(), store_from_settings(), interval_seconds=interval
    )
    run_until_signalled(scheduler)


@click.command("deliverables-packager")
def packager() -> None:
    """Prepare licensees' encrypted packages and their signed manifests, until SIGTERM."""
    from services.deliverables.app import build_context
    from services.deliverables.manifest import ManifestSigner, manifest_secret
    from services.deliverables.package_worker import PackageWorker
    from services.deliverables.storage import store_from_settings
    from shared import config
    from shared.command_line import checked_settings
    from shared.runtime import configure_logging, run_until_signalled

    checked_settings()
    configure_logging("deliverables-packager")
    worker = PackageWorker(
        build_context(),
        store_from_settings(),
        ManifestSigner(manifest_secret()),
        config.get("IPMARKET_DELIVERABLES_URL"),
    )
    run_until_signalled(worker)


@click.group("deliverables")
def deliverables_group() -> None:
    """A licensee's deliverables, from scripts."""


@deliverables_group.command("fetch")
@click.argument("license_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--identity",
    "identity_file",
    required=True,
    metavar="KEY",
    type=click.Path(dir_okay=False, path_type=Path),
    help="An age identity file (AGE-SECRET-KEY-1…) of one of your registered keys.",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory the decrypted files and the manifest are written to.",
)
@click.option("--api-key", required=True, envvar="DELIVERABLES_API_KEY",
              help="Your organisation's API key (or DELIVERABLES_API_KEY).")  # fmt: skip
def fetch_command(license_file: Path, identity_file: Path, out_dir: Path, api_key: str) -> None:
    """Download the license's package, check its signed manifest against the service's JWKS,
    decrypt each file with the identity and check it against the manifest; exit 2 otherwise."""
    from services.deliverables.fetch import FetchError, fetch
    from shared import config

    try:
        license_text, identity_text = license_file.read_text(), identity_file.read_text()
    except OSError as error:
        raise UnusableInput(f"{error.filename}: cannot be read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise UnusableInput("the license and identity files must be text") from None
    try:
        written = fetch(license_text, identity_text, out_dir, api_key,
                        config.get("IPMARKET_DELIVERABLES_URL"))  # fmt: skip
    except FetchError as error:
        raise UnusableInput(str(error)) from None
    for path in written:
        click.echo(str(path))


class UnusableInput(click.ClickException):
    exit_code = 2


@click.group("manifest-keys")
def manifest_keys_group() -> None:
    """The keys manifests are signed with (served in licensing's JWKS, kid "manifest-…")."""


def _manifest_context():
    from services.deliverables.app import build_context
    from services.deliverables.manifest import ManifestSigner, manifest_secret
    from shared import config

    try:
        return build_context(), ManifestSigner(manifest_secret())
    except config.ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@manifest_keys_group.command("rotate")
def rotate_manifest_key() -> None:
    """A new manifest key, which signs from now on; older keys keep verifying until retired."""
    context, signer = _manifest_context()
    with context.unit_of_work() as uow:
        kid = signer.create_key(uow)
        uow.commit()
    click.echo(json.dumps({"kid": kid, "signing": True}))


@manifest_keys_group.command("retire")
@click.argument("kid")
def retire_manifest_key(kid: str) -> None:
    """Retire a manifest key: manifests it signed stop verifying, in licensing's JWKS too."""
    from services.deliverables import manifest
    from shared.errors import DomainError, NotFound

    context, _ = _manifest_context()
    try:
        with context.unit_of_work() as uow:
            manifest.retire(uow, kid)
            uow.commit()
    except NotFound as exc:
        raise click.BadParameter(exc.detail, param_hint="'KID'") from None
    except DomainError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(json.dumps({"kid": kid, "retired": True}))


# click commands added at the top level of `ipmarket`.
COMMANDS: list = [scheduler_command, packager, deliverables_group, manifest_keys_group]
