"""Waking readers at commit.

A table whose `info` names a WAKE_CHANNEL wakes whoever reads it when a commit inserts rows
into it with insert_at_commit (the outbox wakes its relays): on PostgreSQL by NOTIFY, which
the database delivers at commit to every LISTEN on the channel (see listen), and in this
process by setting each wake_event of the channel (see shared.db.session). Readers poll as
well, more slowly: a row written otherwise, or a notification missed while reconnecting, waits
for the next look.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections import defaultdict

import sqlalchemy as sa

from shared.db.engine import CONNECT_TIMEOUT_SECONDS

log = logging.getLogger(__name__)

WAKE_CHANNEL = "wake_channel"
_wake_events: dict[str, weakref.WeakSet] = defaultdict(weakref.WeakSet)
_wake_lock = threading.Lock()


def wake_channels(tables: tuple[sa.Table, ...]) -> tuple[str, ...]:
    """The channels of `tables`, sorted (each NOTIFYed once per commit)."""
    return tuple(sorted({t.info[WAKE_CHANNEL] for t in tables if WAKE_CHANNEL in t.info}))


def wake_event(channel: str) -> threading.Event:
    """An event set whenever this process commits rows into a table of `channel`."""
    event = threading.Event()
    with _wake_lock:
        _wake_events[channel].add(event)
    return event


def wake_in_process(channels: tuple[str, ...]) -> None:
    """Set every wake_event of `channels` (called once the rows are committed)."""
    for channel in channels:
        with _wake_lock:
            events = list(_wake_events[channel])
        for woken in events:
            woken.set()


def listen(
    engine: sa.Engine,
    channel: str,
    wake: threading.Event,
    stop: threading.Event,
    *,
    listening: threading.Event | None = None,
    who: str = "listener",
) -> None:
    """Until `stop`, set `wake` whenever a transaction that NOTIFYs `channel` commits on
    `engine`'s PostgreSQL database (and once each time the LISTEN begins: what committed before
    was not announced to it). `listening` is set while the LISTEN holds. On a connection of its
    own, outside the pool, since it listens for good; after a failure it connects again."""
    import psycopg  # PostgreSQL's driver, not needed on SQLite

    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    while not stop.is_set():
        try:
            with psycopg.connect(
                url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS
            ) as connection:
                connection.execute(f"LISTEN {channel}")
                if listening is not None:
                    listening.set()
                wake.set()
                while not stop.is_set():
                    for _ in connection.notifies(timeout=1.0):
                        wake.set()
        except psycopg.Error as exc:  # database restarting: the polls go on meanwhile
            log.warning("%s: not listening on %s: %s", who, channel, exc)
            if listening is not None:
                listening.clear()
            stop.wait(1.0)
    if listening is not None:
        listening.clear()
