"""The unit tier stands alone: `pytest tests/unit` passes with PostgreSQL and Kafka absent (they
cannot start, and no network connection can be made), in under 30 s."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support import PROJECT_ROOT

BUDGET_SECONDS = 30  # issue 14: the unit tier runs in under 30 s without the servers


def test_the_unit_tier_passes_without_postgresql_and_kafka(tmp_path):
    env = {
        **os.environ,
        "IPMARKET_KAFKA_BOOTSTRAP": "127.0.0.1:9",
        "IPMARKET_VAR_DIR": str(tmp_path / "var"),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "tests.e2e.without_servers",
            f"--basetemp={tmp_path / 'pt'}",
            "tests/unit",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUDGET_SECONDS,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in summary and "failed" not in summary and "error" not in summary, summary
