"""The notify service's part of the `ipmarket` command line."""

from __future__ import annotations

import threading

import click


@click.command()
def deliver() -> None:
    """Send due webhooks and emails, and record dead letters, until SIGTERM."""
    from services.notify.app import build_context
    from services.notify.dead_letters import DeadLetterRecorder
    from services.notify.delivery import DeliveryWorker
    from shared.command_line import checked_settings
    from shared.runtime import configure_logging, run_until_signalled

    checked_settings()
    configure_logging("notify-deliver")
    context = build_context()
    run_until_signalled(
        WorkersSideBySide(
            DeliveryWorker(context.session_factory), DeadLetterRecorder(context.session_factory)
        )
    )


class WorkersSideBySide:
    """Runs several `run(stop)` workers on threads until `stop`; the first one on this thread."""

    def __init__(self, *workers):
        self.workers = workers

    def run(self, stop: threading.Event) -> None:
        threads = [
            threading.Thread(target=worker.run, args=(stop,), name=type(worker).__name__)
            for worker in self.workers[1:]
        ]
        for thread in threads:
            thread.start()
        try:
            self.workers[0].run(stop)
        finally:
            stop.set()
            for thread in threads:
                thread.join(30)


# click commands added at the top level of `ipmarket`.
COMMANDS: list = [deliver]
