"""There is no Docker engine here, so check docker-compose.yml against the code instead: every
command our image runs exists in the CLI, and every variable it sets is one the code reads."""

from __future__ import annotations

from pathlib import Path

import click
import yaml

from ipmarket.cli import main
from shared.config import SERVICES, SETTINGS

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
OURS = {name: spec for name, spec in COMPOSE["services"].items() if spec.get("build") == "."}


def resolve(args: list[str]) -> click.Command:
    command: click.Command = main
    ctx = click.Context(main)
    for arg in args:
        if not isinstance(command, click.Group):
            break
        sub = command.get_command(ctx, arg)
        assert sub is not None, f"`ipmarket {' '.join(args)}`: no command {arg!r}"
        command = sub
    return command


def ipmarket_invocations(spec: dict) -> list[list[str]]:
    if "command" in spec:
        return [list(spec["command"])]
    # `sh -c "ipmarket a && ipmarket b"` entrypoints
    script = spec["entrypoint"][-1]
    return [part.split()[1:] for part in script.split("&&")]


def test_every_process_of_ours_runs_an_existing_command():
    assert {
        "portal",
        "catalog",
        "licensing",
        "notify",
        "catalog-relay",
        "licensing-relay",
        "notify-relay",
        "licensing-consumer",
        "notify-consumer",
        "deliverables",
        "deliverables-relay",
        "deliverables-consumer",
        "deliverables-scheduler",
        "migrate",
    } <= set(OURS)
    for name, spec in OURS.items():
        for args in ipmarket_invocations(spec):
            command = resolve(args)
            # Service arguments must be real services, options real options.
            params = {opt for p in command.params for opt in getattr(p, "opts", [])}
            for arg in args:
                if arg.startswith("--"):
                    assert arg in params, f"{name}: unknown option {arg}"
            if args[0] == "serve":
                assert args[1] in (*SERVICES, "portal"), name
            elif args[0] in {"relay", "consume"}:
                assert args[1] in SERVICES, name


def test_every_variable_set_is_one_the_code_reads():
    for name, spec in OURS.items():
        for variable in spec["environment"]:
            assert variable in SETTINGS, f"{name} sets {variable}, which no code reads"


def test_each_service_has_its_own_database_and_the_image_its_dockerfile():
    env = COMPOSE["x-ipmarket"]["environment"]
    urls = {env[f"IPMARKET_{s.upper()}_DATABASE_URL"] for s in SERVICES}
    assert len(urls) == len(SERVICES)
    init = (ROOT / "deploy" / "postgres-init.sql").read_text()
    for service in SERVICES:
        assert f"CREATE DATABASE {service};" in init
    assert (ROOT / "Dockerfile").exists()
    assert COMPOSE["services"]["kafka"]["image"].startswith("apache/kafka:4.")
