"""An idle relay sleeps long, and a commit to the outbox wakes it: on PostgreSQL by NOTIFY (from
another process here), on SQLite by the commit of its own process. Each relay is given a 60 s
idle wait from the start, so an event published within seconds was published because the
commit woke the relay."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from services.catalog.app import build_context
from services.catalog.organisations import register_organisation
from shared.db.migrations import upgrade
from shared.messaging.outbox import OutboxRelay
from tests.support import PROJECT_ROOT, wait_until

LONG_IDLE = 60
PROMPTLY = 15  # generous: the relay would sleep 60 s


def register(context, name: str) -> None:
    with context.unit_of_work() as uow:
        register_organisation(uow, legal_name_en=name, country="HK", roles=["vendor"])
        uow.commit()


def register_in_another_process(name: str) -> None:
    subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "from services.catalog.app import build_context\n"
                "from tests.integration.shared.messaging.test_relay_wakeup import register\n"
                f"register(build_context(), {name!r})\n"
            ),
        ],
        check=True,
        cwd=PROJECT_ROOT,
        timeout=60,
    )


@pytest.fixture
def running_relay():
    stop, threads = threading.Event(), []

    def start(context) -> OutboxRelay:
        relay = OutboxRelay(
            context.engine,
            context.outbox_model.__table__,
            idle_seconds=LONG_IDLE,
            first_idle_seconds=LONG_IDLE,
        )
        threads.append(threading.Thread(target=relay.run, args=(stop,), daemon=True))
        threads[-1].start()
        return relay

    yield start
    stop.set()
    for thread in threads:
        thread.join(10)


def test_a_commit_in_another_process_wakes_the_relay_on_postgresql(platform_env, running_relay):
    context = build_context()
    relay = running_relay(context)
    register(context, "First Light Semiconductor Ltd")
    wait_until(lambda: relay.published == 1, timeout=PROMPTLY, what="the first event")
    wait_until(relay.listening.is_set, timeout=PROMPTLY, what="the relay's LISTEN")

    register_in_another_process("Second Light Semiconductor Ltd")  # relay idle for 60 s now
    wait_until(lambda: relay.published == 2, timeout=PROMPTLY, what="the woken relay")


def test_a_commit_in_the_same_process_wakes_the_relay_on_sqlite(
    platform_env, running_relay, tmp_path
):
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    upgrade("catalog", url)
    context = build_context(url)
    relay = running_relay(context)
    register(context, "First Light Semiconductor Ltd")
    wait_until(lambda: relay.published == 1, timeout=PROMPTLY, what="the first event")

    register(context, "Second Light Semiconductor Ltd")  # relay idle for 60 s now
    wait_until(lambda: relay.published == 2, timeout=PROMPTLY, what="the woken relay")
