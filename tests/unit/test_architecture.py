"""The architecture is enforced by import-linter's contracts in pyproject.toml: shared below
services below ipmarket, services independent, each service's domain pure, no import cycles
within shared/ or a service. `lint-imports` itself, in this process (grimp reads the sources;
nothing is imported or started)."""

from __future__ import annotations

import os
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]


def test_every_import_contract_is_kept(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    )
    exit_code = lint_imports(
        config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True
    )
    report = capsys.readouterr().out
    assert exit_code == 0, report
    assert "0 broken" in report and "4 kept" in report, report
