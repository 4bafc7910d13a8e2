"""What tests share besides fixtures: real processes and waiting for things to happen."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from ipmarket.broker import die_with_parent, free_port
from kafka import KafkaConsumer, TopicPartition

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Processes:
    """Real `ipmarket` processes for cross-process tests; all stopped at the test's end."""

    def __init__(self, env: dict[str, str], log_dir: Path):
        self.env = {**os.environ, **env}
        self.log_dir = log_dir
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "ipmarket", *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
            preexec_fn=die_with_parent,
        )
        self.running[name] = process
        return process

    def serve(self, service: str) -> str:
        """Start SERVICE's HTTP API and return its base URL once /readyz answers 200."""
        port = free_port()
        self.start(service, "serve", service, "--bind", f"127.0.0.1:{port}", "--workers", "1")
        url = f"http://127.0.0.1:{port}"
        # Gunicorn boots in seconds, but a machine loaded by the rest of the suite can take
        # far longer: waiting is free when it is quick.
        wait_until(
            lambda: _ready(url),
            timeout=120,
            what=f"{service} /readyz",
            check=lambda: self._check_alive(service),
        )
        return url

    def stop(self, name: str, sig: str = "term", timeout: float = 20) -> int:
        process = self.running.pop(name)
        process.kill() if sig == "kill" else process.terminate()
        return process.wait(timeout)

    def log(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text(errors="replace")

    def _check_alive(self, name: str) -> None:
        if self.running[name].poll() is not None:
            raise AssertionError(f"{name} exited:\n{self.log(name)[-3000:]}")

    def stop_all(self) -> None:
        for process in self.running.values():
            process.terminate()
        for process in self.running.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.running.clear()


def _ready(url: str) -> bool:
    try:
        return requests.get(f"{url}/readyz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def wait_until(
    predicate, timeout: float = 10, interval: float = 0.05, what: str = "condition", check=None
):
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if check is not None:
            check()
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def read_topic_to_end(bootstrap: str, name: str, timeout: float = 20) -> list:
    """Every message on topic NAME now: each partition read from its start up to the end offset
    it has when called, no further and without lingering. Called once whatever should be there
    is known to be (a relay marks an outbox row published only after the broker acknowledged
    it), it sees every copy there will ever be of it: an absence is then a fact, not a wait."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    try:
        partitions = [TopicPartition(name, p) for p in consumer.partitions_for_topic(name)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        messages = []
        deadline = time.monotonic() + timeout
        while any(consumer.position(p) < ends[p] for p in partitions):
            assert time.monotonic() < deadline, f"{name} was not read to its end in {timeout} s"
            batches = consumer.poll(timeout_ms=500)
            messages.extend(m for batch in batches.values() for m in batch)
        return messages
    finally:
        consumer.close()
