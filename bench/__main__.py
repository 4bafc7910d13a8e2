"""Run benchmarks by name (bench/<name>.py, each with a main()), all of them by default."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(names: list[str]) -> None:
    available = sorted(
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if not m.name.startswith("_") and m.name != "setup"
    )
    for name in names or available:
        if name not in available:
            sys.exit(f"no benchmark {name!r}; there are: {', '.join(available)}")
        print(f"\n== bench {name}", flush=True)
        importlib.import_module(f"bench.{name}").main()


main(sys.argv[1:])
