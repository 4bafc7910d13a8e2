"""The deliverables service's part of the `ipmarket` command line (serve, relay, consume and
migrate come from the common commands)."""

from __future__ import annotations

# click commands added at the top level of `ipmarket`.
COMMANDS: list = []
