"""The catalog service's part of the `ipmarket` command line."""
from __future__ import annotations

import json

import click


@click.group()
def demo() -> None:
    """The demo marketplace of the README's walkthrough."""


@demo.command("load")
@click.option("--json", "as_json", is_flag=True,
              help='Print one JSON object: {"organisations": {KEY: {"name", "organisation_id", '
                   '"api_key"}}, "added": {"organisations": N, "cores": N}}.')
def demo_load(as_json: bool) -> None:
    """Load demo vendors, licensees and 50+ published cores (idempotent); prints the new
    organisations' API keys, which are shown this once."""
    from ipmarket.cli import _checked_settings
    from services.catalog import demo as demo_data
    from services.catalog.app import build_context

    _checked_settings()
    new_keys = {}

    def on_new_key(key, org, api_key):
        new_keys[key] = {"name": org.legal_name_en, "organisation_id": org.id,
                         "api_key": api_key}
        if not as_json:
            click.echo(f"{org.legal_name_en}: organisation {org.id}, API key {api_key}")

    created = demo_data.load(build_context(), on_new_key)
    if as_json:
        click.echo(json.dumps({"organisations": new_keys, "added": created},
                              ensure_ascii=False, indent=2))
        return
    click.echo(f"demo: {created['organisations']} organisations and {created['cores']} cores "
               "added" + ("" if any(created.values()) else " (all there already)"))


# click commands added at the top level of `ipmarket`.
COMMANDS: list = [demo]
