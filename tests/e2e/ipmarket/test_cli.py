"""The command line with bad input: one line naming the option, exit status 2, nothing changed;
`ipmarket --version`; `serve --workers` one per core by default."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from ipmarket.cli import main
from shared.db.engine import create_engine
from shared.db.migrations import upgrade
from tests.support import PROJECT_ROOT

ADMIN = [
    *("admin", "create", "--name", "Science Park IP Platform", "--email", "ops@park.example"),
    "--invite",  # the operator person's password is set through the printed link
]

BAD_INPUT = [
    (ADMIN + ["--country", "ZZ"], "--country"),
    (ADMIN + ["--country", "China"], "--country"),
    (ADMIN + ["--timezone", "Mars/Base"], "--timezone"),
    (ADMIN + ["--timezone", ""], "--timezone"),
    (ADMIN + ["--locale", "fr"], "--locale"),
    (ADMIN + ["--email", "x"], "--email"),
    (["admin", "create", "--name", "Park", "--email", "ops@park"], "--email"),
    (["admin", "create", "--name", "  ", "--email", "ops@park.example"], "--name"),
    (["admin", "create", "--name", "P" * 201, "--email", "ops@park.example"], "--name"),
    (["serve", "catalog", "--workers", "0"], "--workers"),
    (["serve", "catalog", "--workers", "two"], "--workers"),
    (["serve", "catalog", "--bind", "localhost"], "--bind"),
    (["serve", "catalog", "--bind", "127.0.0.1:99999"], "--bind"),
    (["serve", "mars"], "'SERVICE'"),
    (["payment-simulator", "--bind", "127.0.0.1:http"], "--bind"),
    (["licensing-scheduler", "--interval", "0"], "--interval"),
    (["licensing-scheduler", "--interval", "-5"], "--interval"),
    (["deliverables-scheduler", "--interval", "0"], "--interval"),
    (["license", "verify", "no-such-license.txt"], "'FILE'"),
    (["license", "verify", "README.md", "--core", "xinyuan-micro.cn:ip:rv64_app"], "--core"),
    (["license", "verify", "README.md", "--core", "a::b:1.0"], "--core"),
    (["migrate", "billing"], "'SERVICES'"),
    (["broker", "--home", "README.md"], "--home"),
]


def one_line_error(result, option: str) -> str:
    assert result.exit_code == 2, (result.output, result.exception)
    lines = result.output.splitlines()
    assert len(lines) == 1, result.output
    hint = f"'{option}'" if option.startswith("--") else option
    assert lines[0].startswith(f"Error: Invalid value for {hint}: "), lines[0]
    return lines[0]


@pytest.fixture
def catalog_db(tmp_path, monkeypatch) -> str:
    """A migrated SQLite catalog database for this process's commands."""
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    upgrade("catalog", url)
    monkeypatch.setenv("IPMARKET_CATALOG_DATABASE_URL", url)
    return url


def organisations(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM organisation")).scalar()
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("args", "option"), BAD_INPUT, ids=[" ".join(args)[:60] for args, _ in BAD_INPUT]
)
def test_bad_input_is_one_line_naming_the_option_exit_2_and_changes_nothing(
    catalog_db, args, option
):
    result = CliRunner().invoke(main, args)
    one_line_error(result, option)
    assert organisations(catalog_db) == 0


def test_the_messages_say_what_is_wrong(catalog_db):
    runner = CliRunner()
    assert one_line_error(runner.invoke(main, ADMIN + ["--country", "ZZ"]), "--country") == (
        "Error: Invalid value for '--country': "
        "'ZZ' is not an assigned ISO 3166-1 alpha-2 country code"
    )
    assert "'Mars/Base' is not an IANA time zone" in one_line_error(
        runner.invoke(main, ADMIN + ["--timezone", "Mars/Base"]), "--timezone"
    )
    assert "'x' is not an e-mail address" in one_line_error(
        runner.invoke(main, ADMIN + ["--email", "x"]), "--email"
    )
    # The same values, correct, create the operator (so the database above could change).
    created = runner.invoke(main, ADMIN + ["--country", "hk", "--timezone", "Asia/Hong_Kong"])
    assert created.exit_code == 0, created.output
    assert organisations(catalog_db) == 1


def test_an_unknown_command_or_option_is_one_line_too():
    runner = CliRunner()
    for args in (["nope"], ["admin", "create", "--colour", "red"], ["--verbose"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 2 and len(result.output.splitlines()) == 1, result.output
        assert result.output.startswith("Error: No such "), result.output


def test_a_real_process_prints_no_traceback(tmp_path):
    env = {**os.environ, "IPMARKET_CATALOG_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    result = subprocess.run(
        [sys.executable, "-m", "ipmarket", *ADMIN, "--timezone", "Mars/Base"],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Error: Invalid value for '--timezone': 'Mars/Base' is not an IANA time zone such as "
        "Asia/Shanghai"
    ]
    assert not (tmp_path / "c.db").exists()  # stopped before opening the database


def test_version_is_the_installed_package_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output == f"ipmarket {importlib.metadata.version('ipmarket')}\n"


def test_serve_runs_one_worker_per_available_core_by_default(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3, 4}, raising=False)
    serve = main.commands["serve"]
    assert serve.make_context("serve", ["catalog"]).params["workers"] == 5
    assert serve.make_context("serve", ["catalog", "--workers", "3"]).params["workers"] == 3
    monkeypatch.delattr(os, "sched_getaffinity")  # macOS: the machine's cores
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert serve.make_context("serve", ["catalog"]).params["workers"] == 6
    monkeypatch.undo()
    help_text = CliRunner().invoke(main, ["serve", "--help"]).output
    assert f"one per core, here {len(os.sched_getaffinity(0))}" in help_text


def test_a_bad_setting_stops_a_process_before_it_starts():
    result = subprocess.run(
        [sys.executable, "-m", "ipmarket", "relay", "catalog"],
        env={"IPMARKET_RELAY_BATCH": "lots", "PATH": "/usr/bin:/bin"},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "IPMARKET_RELAY_BATCH='lots' is invalid" in result.stderr
