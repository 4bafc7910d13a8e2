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


def test_no_module_outside_migrations_and_tests_is_over_300_lines():
    # Past 300 lines a module is usually several concerns in one (issue 14).
    over = {
        str(path.relative_to(ROOT)): lines
        for top in ("services", "shared", "ipmarket", "bench")
        for path in (ROOT / top).rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > 300
    }
    assert not over, over
