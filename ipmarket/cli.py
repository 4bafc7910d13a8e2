"""`ipmarket`: the one command line for operators and offline users."""

from __future__ import annotations

import importlib
import os
import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import click

from shared import config
from shared.command_line import (
    HostPort,
    available_cores,
    checked_settings,
)
from shared.runtime import run_until_signalled

SERVICES = config.SERVICES
WEB_APPS = (*SERVICES, "portal")  # what `serve` serves: the services' APIs and the web portal
DEFAULT_PORTS = {
    "portal": 8000,
    "catalog": 8001,
    "licensing": 8002,
    "notify": 8003,
    "deliverables": 8006,
}


def service_module(service: str, name: str):
    return importlib.import_module(f"services.{service}.{name}")


@contextmanager
def _one_line_usage_errors():
    try:
        yield
    except click.UsageError as error:
        error.ctx = None  # else click prints the usage and a hint above the one line that matters
        raise


class CommandLine(click.Group):
    """Bad input gets one line naming the option ("Error: Invalid value for '--country': …")
    and exit status 2, from this group and every command under it."""

    def make_context(self, *args, **kwargs):
        with _one_line_usage_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx):
        with _one_line_usage_errors():
            return super().invoke(ctx)


@click.group(cls=CommandLine)
@click.version_option(package_name="ipmarket", message="ipmarket %(version)s")
def main() -> None:
    """ipmarket: the virtual IP platform's marketplace for licensing semiconductor IP cores."""


@main.command()
@click.option("--markdown", is_flag=True, help="Print the README's table.")
def settings(markdown: bool) -> None:
    """Show every setting (environment variable) and check the current values."""
    if markdown:
        click.echo(_settings_table())
        return
    checked_settings()
    for name, setting in config.SETTINGS.items():
        value = "***" if setting.secret and config.get(name) else config.get(name)
        click.echo(f"{name}={value if value is not None else ''}")


def _settings_table() -> str:
    """The README's table of settings (project paths shown relative to the project)."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for s in config.SETTINGS.values():
        default = s.default(os.environ) if callable(s.default) else s.default
        if default and str(config.PROJECT_ROOT) in default:
            default = default.replace(str(config.PROJECT_ROOT), ".")
        rows.append(f"| `{s.name}` | {f'`{default}`' if default else '—'} | {s.description} |")
    return "\n".join(rows)


@main.command()
@click.argument("services", nargs=-1, type=click.Choice(SERVICES))
def migrate(services: tuple[str, ...]) -> None:
    """Bring each service's database to its newest schema (all services by default)."""
    from shared.db.migrations import upgrade

    checked_settings()
    for service in services or SERVICES:
        upgrade(service)
        click.echo(f"{service}: database at head")


@main.command()
def topics() -> None:
    """Create the Kafka topics (explicit partitions and retention); existing ones are kept."""
    from shared.messaging.kafka_io import create_topics

    checked_settings()
    created = create_topics()
    click.echo(f"created {', '.join(created)}" if created else "topics exist already")


@main.command()
@click.argument("service", type=click.Choice(WEB_APPS))
@click.option("--bind", type=HostPort(), default=None, help="host:port (default 127.0.0.1:800N).")
# One worker process per core. Each serves its requests as greenlets (gevent): a request
# waiting for PostgreSQL lets the others run, without the thread handoffs and GIL contention
# of gthread. Back to back on 2 cores, licensing issued 508–784 licenses/s with 2 gevent
# workers against 362–656/s with 4 × 1 gthread, higher in 11 of 11 pairs, at 16–37 % less
# server CPU per issuance.
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=available_cores,
    metavar="N",
    help=f"Worker processes (default: one per core, here {available_cores()}).",
)
def serve(service: str, bind: str | None, workers: int) -> None:
    """Serve one service's HTTP API, or the web portal, with gunicorn."""
    from gunicorn.app.base import BaseApplication

    checked_settings()
    bind = bind or f"127.0.0.1:{DEFAULT_PORTS[service]}"
    # sqlite3 blocks in C, where a greenlet cannot yield: one request waiting for SQLite's
    # write lock would hold up every other request of its worker, so SQLite gets threads.
    # (The portal has no database: it waits on the services' APIs, which greenlets suit.)
    on_sqlite = service != "portal" and config.database_url(service).startswith("sqlite")

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", bind)
            self.cfg.set("workers", workers)
            # gunicorn's workers, with the time to send a request and the connections per
            # client address bounded (ipmarket/workers.py).
            self.cfg.set(
                "worker_class",
                "ipmarket.workers.BoundedThreadWorker"
                if on_sqlite
                else "ipmarket.workers.BoundedGeventWorker",
            )
            self.cfg.set("threads", 2)  # gthread only
            self.cfg.set("graceful_timeout", 10)
            self.cfg.set("accesslog", None)  # the app logs each request as JSON
            self.cfg.set("control_socket_disable", True)  # one per host would clash

        def load(self):
            import gc

            from ipmarket.workers import BodyDeadline
            from shared.runtime import configure_logging

            configure_logging(service)
            app = BodyDeadline(
                service_module(service, "app").create_app(),
                config.get("IPMARKET_REQUEST_READ_SECONDS"),
                config.get("IPMARKET_MAX_BODY_BYTES"),
            )
            # A full collection walked every object made at start-up and held every request
            # of the worker for 50–90 ms; frozen, those objects are never walked again.
            gc.freeze()
            return app

    Server().run()


@main.command()
@click.argument("service", type=click.Choice(SERVICES))
def relay(service: str) -> None:
    """Publish SERVICE's outbox to Kafka until stopped (several may run: one is active)."""
    from shared.messaging.outbox import OutboxRelay
    from shared.runtime import configure_logging

    checked_settings()
    configure_logging(f"{service}-relay")
    context = service_module(service, "app").build_context()
    run_until_signalled(OutboxRelay(context.engine, context.outbox_model.__table__))


@main.command()
@click.argument("service", type=click.Choice(SERVICES))
def consume(service: str) -> None:
    """Handle the events SERVICE needs until SIGTERM (offsets committed after handling)."""
    from shared.runtime import configure_logging

    checked_settings()
    configure_logging(f"{service}-consumer")
    run_until_signalled(build_consumer(service))


def build_consumer(service: str, **options):
    from shared.messaging.consumer import EventConsumer

    context = service_module(service, "app").build_context()
    handlers = service_module(service, "handlers")
    return EventConsumer(
        service=service,
        session_factory=context.session_factory,
        processed_model=context.processed_model,
        handlers=handlers.event_handlers(),
        streams=handlers.STREAMS,
        **options,
    )


@main.command()
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Broker directory (default var/kafka).",
)
def broker(home: Path | None) -> None:
    """Run the single-node Kafka broker (KRaft) in the foreground, formatting it the first time."""
    from ipmarket.broker import Broker

    checked_settings()
    port = int(config.get("IPMARKET_KAFKA_BOOTSTRAP").split(",")[0].rpartition(":")[2])
    kafka = Broker(home or config.var_dir() / "kafka", port=port, controller_port=port + 1)
    kafka.run()
    click.echo(f"Kafka broker ready at {kafka.bootstrap}; logs in {kafka.home / 'logs'}")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(1) and kafka.process.poll() is None:
        pass
    kafka.stop()


@main.command()
def run() -> None:
    """Run the whole marketplace on this machine: broker, services, relays, workers."""
    from ipmarket.supervisor import run_marketplace

    checked_settings()
    sys.exit(run_marketplace())


for _service in SERVICES:
    for _command in service_module(_service, "commands").COMMANDS:
        main.add_command(_command)
for _command in importlib.import_module("ipmarket.devtools.commands").COMMANDS:
    main.add_command(_command)


if __name__ == "__main__":
    main()
