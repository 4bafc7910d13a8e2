"""The catalog service's part of the `ipmarket` command line (the demo loader moved to
ipmarket/devtools: it is a developer's tool, not the service's)."""
from __future__ import annotations

# click commands added at the top level of `ipmarket`.
COMMANDS: list = []
