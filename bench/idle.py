"""Idle cost of the whole `ipmarket run` stack.

Starts `ipmarket run` as a user would (SQLite under a temporary var/, its own Kafka broker, the
services on free ports), waits until it says it is running and SETTLE_SECONDS more, then
measures the CPU time of each process (with its children: gunicorn workers) over
MEASURE_SECONDS of doing nothing. The settling minute is the broker's JVM compiling (its C1/C2
threads took half its CPU 15-35 s after start): a cost paid once, not while idle.
Target on a 2-core machine: the whole stack under 10 % of one core.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.setup import cpu_seconds
from ipmarket.broker import free_port

SETTLE_SECONDS = 60
MEASURE_SECONDS = 30
TARGET_PERCENT = 10


def _two_free_ports() -> int:
    """A port whose next one is free too (the broker's controller listens on port + 1)."""
    while True:
        port = free_port()
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue


def _children(pid: int) -> dict[int, str]:
    """pid → a short name of each direct child of `pid`."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            if ppid != pid:
                continue
            argv = (stat.parent / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except (OSError, IndexError):
            continue
        if "ipmarket" in argv:
            args = argv[argv.index("ipmarket") + 1 :]
            name = {
                "serve": lambda a: a[1],
                "relay": lambda a: f"{a[1]}-relay",
                "consume": lambda a: f"{a[1]}-consumer",
            }.get(args[0], lambda a: a[0])(args)
        else:
            name = "kafka broker (JVM)" if any("kafka" in a for a in argv) else argv[0]
        found[int(stat.parent.name)] = name
    return found


def measure(env: dict[str, str], log: Path) -> tuple[dict[str, float], float]:
    """(name → % of one core, total %) of an idle `ipmarket run`."""
    with open(log, "wb") as out:
        run = subprocess.Popen(
            [sys.executable, "-m", "ipmarket", "run"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 240
        while "ipmarket is running" not in log.read_text(errors="replace"):
            if run.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"`ipmarket run` did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        time.sleep(SETTLE_SECONDS)
        children = _children(run.pid)
        before = {pid: cpu_seconds(pid) for pid in children}
        total_before, started = cpu_seconds(run.pid), time.monotonic()
        time.sleep(MEASURE_SECONDS)
        elapsed = time.monotonic() - started
        per_process = {
            name: (cpu_seconds(pid) - before[pid]) / elapsed * 100 for pid, name in children.items()
        }
        total = (cpu_seconds(run.pid) - total_before) / elapsed * 100
        # (Each process is read at a slightly different moment: clamp the rounding at 0.)
        per_process["ipmarket run (supervisor)"] = max(0.0, total - sum(per_process.values()))
        return per_process, total
    finally:
        run.send_signal(signal.SIGINT)
        try:
            run.wait(60)
        except subprocess.TimeoutExpired:
            run.kill()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="ipmarket-bench-idle-") as var:
        kafka = _two_free_ports()
        env = {
            name: value for name, value in os.environ.items() if not name.startswith("IPMARKET_")
        }
        env.update(
            {
                "IPMARKET_VAR_DIR": var,
                "IPMARKET_KAFKA_BOOTSTRAP": f"127.0.0.1:{kafka}",
                "IPMARKET_CATALOG_URL": f"http://127.0.0.1:{free_port()}",
                "IPMARKET_LICENSING_URL": f"http://127.0.0.1:{free_port()}",
                "IPMARKET_NOTIFY_URL": f"http://127.0.0.1:{free_port()}",
                "IPMARKET_PAYMENT_SIMULATOR_URL": f"http://127.0.0.1:{free_port()}",
            }
        )
        per_process, total = measure(env, Path(var) / "run.log")
    print(f"idle `ipmarket run`, CPU over {MEASURE_SECONDS} s, % of one core:")
    for name, percent in sorted(per_process.items(), key=lambda item: -item[1]):
        print(f"  {name:<28} {percent:5.1f} %")
    verdict = "met" if total < TARGET_PERCENT else "NOT met"
    print(f"  {'the whole stack':<28} {total:5.1f} %   (target < {TARGET_PERCENT} %: {verdict})")
