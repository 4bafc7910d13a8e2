"""Workers run side by side until one stops them all (services/notify/commands.py)."""

from __future__ import annotations

import threading

from services.notify.commands import WorkersSideBySide


class Worker:
    def __init__(self, *, stops: bool = False):
        self.ran = threading.Event()
        self.stops = stops

    def run(self, stop: threading.Event) -> None:
        self.ran.set()
        if self.stops:
            stop.set()
        stop.wait(10)


def test_every_worker_runs_and_the_first_one_ending_stops_the_others():
    first, second, third = Worker(stops=True), Worker(), Worker()
    stop = threading.Event()
    WorkersSideBySide(first, second, third).run(stop)
    assert stop.is_set()
    assert first.ran.is_set() and second.ran.is_set() and third.ran.is_set()


def test_a_failing_first_worker_still_stops_the_others():
    class Failing:
        def run(self, stop):
            raise RuntimeError("boom")

    other, stop = Worker(), threading.Event()
    try:
        WorkersSideBySide(Failing(), other).run(stop)
    except RuntimeError:
        pass
    assert stop.is_set() and other.ran.is_set()
