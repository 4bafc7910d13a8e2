"""The licensing service's part of the `ipmarket` command line."""
from __future__ import annotations

import click  # noqa: F401

# click commands added at the top level of `ipmarket`.
COMMANDS: list = []
