"""The developers' commands of `ipmarket`: the demo marketplace and the payment provider
simulator. Tools for trying the marketplace out, not part of any service."""

from __future__ import annotations

import json

import click

from shared import config
from shared.command_line import HostPort, checked_settings
from shared.runtime import configure_logging, run_until_signalled


@click.group()
def demo() -> None:
    """The demo marketplace of the README's walkthrough."""


@demo.command("load")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help='Print one JSON object: {"organisations": {KEY: {"name", "organisation_id", '
    '"api_key"}}, "added": {"organisations": N, "cores": N}}.',
)
def demo_load(as_json: bool) -> None:
    """Load demo vendors, licensees and 50+ published cores (idempotent); prints the new
    organisations' API keys, which are shown this once."""
    from ipmarket.devtools import demo as demo_data
    from services.catalog.app import build_context

    checked_settings()
    new_keys = {}

    def on_new_key(key, org, api_key):
        new_keys[key] = {"name": org.legal_name_en, "organisation_id": org.id, "api_key": api_key}
        if not as_json:
            click.echo(f"{org.legal_name_en}: organisation {org.id}, API key {api_key}")

    created = demo_data.load(build_context(), on_new_key)
    if as_json:
        click.echo(
            json.dumps({"organisations": new_keys, "added": created}, ensure_ascii=False, indent=2)
        )
        return
    click.echo(
        f"demo: {created['organisations']} organisations and {created['cores']} cores "
        "added" + ("" if any(created.values()) else " (all there already)")
    )


@click.command("payment-simulator")
@click.option(
    "--bind",
    type=HostPort(),
    default=None,
    metavar="HOST:PORT",
    help="Where to listen (default: the host and port of IPMARKET_PAYMENT_SIMULATOR_URL).",
)
def payment_simulator_command(bind: str | None) -> None:
    """Run the payment provider simulator until SIGTERM: POST /payments pays an order, and it
    calls the licensing service back, signed with IPMARKET_PAYMENT_PROVIDER_SECRET."""

    from ipmarket.devtools.payment_simulator import from_settings

    checked_settings()
    try:
        simulator = from_settings(bind)
    except config.ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    configure_logging("payment-simulator")
    run_until_signalled(simulator)


# click commands added at the top level of `ipmarket`.
COMMANDS: list = [demo, payment_simulator_command]
