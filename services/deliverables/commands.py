"""The deliverables service's part of the `ipmarket` command line (serve, relay, consume and
migrate come from the common commands)."""

from __future__ import annotations

import click

from shared import config


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
    from shared.runtime import configure_logging, run_until_signalled

    try:
        config.check_all()
    except config.ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    configure_logging("deliverables-scheduler")
    scheduler = DeliverablesScheduler(
        build_context(), store_from_settings(), interval_seconds=interval
    )
    run_until_signalled(scheduler)


# click commands added at the top level of `ipmarket`.
COMMANDS: list = [scheduler_command]
