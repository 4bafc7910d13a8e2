"""The catalog service's part of the `ipmarket` command line."""
from __future__ import annotations

import click


@click.group()
def demo() -> None:
    """The demo marketplace of the README's walkthrough."""


@demo.command("load")
def demo_load() -> None:
    """Load demo vendors, licensees and 50+ published cores (idempotent); prints new API keys."""
    from ipmarket.cli import _checked_settings
    from services.catalog import demo as demo_data
    from services.catalog.app import build_context

    _checked_settings()
    created = demo_data.load(build_context(), echo=click.echo)
    click.echo(f"demo: {created['organisations']} organisations and {created['cores']} cores "
               "added" + ("" if any(created.values()) else " (all there already)"))


# click commands added at the top level of `ipmarket`.
COMMANDS: list = [demo]
