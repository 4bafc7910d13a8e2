"""The deliverables service's part of the `ipmarket` command line (serve, relay, consume and
migrate come from the common commands)."""

from __future__ import annotations

import click


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


# click commands added at the top level of `ipmarket`.
COMMANDS: list = [packager]
