"""A single-node Apache Kafka 4.x broker in KRaft mode (broker + controller), run with `java`
directly from the jars that kafka/pom.xml fetches from Maven Central."""

from __future__ import annotations

import base64
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from shared.config import PROJECT_ROOT

LIBS = PROJECT_ROOT / "var" / "kafka" / "libs"
POM = PROJECT_ROOT / "kafka" / "pom.xml"

LOG4J2 = """\
Configuration:
  Appenders:
    RollingFile:
      name: File
      fileName: "${sys:kafka.logs.dir}/server.log"
      filePattern: "${sys:kafka.logs.dir}/server.log.%i"
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
      SizeBasedTriggeringPolicy:
        size: 20MB
      DefaultRolloverStrategy:
        max: 3
  Loggers:
    Root:
      level: INFO
      AppenderRef:
        - ref: File
    Logger:
      - name: kafka.request.logger
        level: WARN
      - name: org.apache.kafka.controller
        level: WARN
      - name: state.change.logger
        level: WARN
"""


class BrokerError(RuntimeError):
    pass


def die_with_parent() -> None:
    """In the child before exec: on Linux, get SIGTERM when the parent dies, so that a killed
    test run or supervisor never leaves an orphaned broker behind."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def fetch_jars() -> None:
    """Copy the broker's jars from Maven Central (or ~/.m2) unless they are here already."""
    if (LIBS / ".fetched").exists():
        return
    if shutil.which("mvn") is None:
        raise BrokerError("mvn is needed to fetch the Kafka broker jars (Java 17 + Maven)")
    subprocess.run(
        [
            "mvn",
            "--quiet",
            "--batch-mode",
            "-f",
            str(POM),
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={LIBS}",
        ],
        check=True,
    )
    (LIBS / ".fetched").touch()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Broker:
    """One broker's files: `<home>/server.properties`, `<home>/data`, `<home>/logs`."""

    home: Path
    port: int = 9092
    controller_port: int = 9093
    heap: str = "512m"
    test_mode: bool = False
    process: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def properties_path(self) -> Path:
        return self.home / "server.properties"

    def write_config(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "logs").mkdir(exist_ok=True)
        props = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},"
            f"CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "inter.broker.listener.name": "PLAINTEXT",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": str(self.home / "data"),
            "num.partitions": "3",
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            # Topics are created by the project, with explicit partitions and retention.
            "auto.create.topics.enable": "false",
            "group.initial.rebalance.delay.ms": "0" if self.test_mode else "3000",
        }
        if self.test_mode:
            props["offsets.topic.num.partitions"] = "1"
        else:
            # A sole controller has no one to show it is alive to: it need not append an empty
            # record to its metadata log every 500 ms (the default) while nothing changes.
            props["metadata.max.idle.interval.ms"] = "5000"
        self.properties_path.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
        (self.home / "log4j2.yaml").write_text(LOG4J2)

    def _java(self, main_class: str, *args: str, heap: str = "256m") -> list[str]:
        java = shutil.which("java") or os.path.join(os.environ.get("JAVA_HOME", ""), "bin", "java")
        return [
            java,
            f"-Xms{heap}",
            f"-Xmx{heap}",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.home / 'log4j2.yaml'}",
            f"-Dkafka.logs.dir={self.home / 'logs'}",
            "-cp",
            f"{LIBS}/*",
            main_class,
            *args,
        ]

    def format_storage(self) -> bool:
        """Format the storage the first time; returns False when it was formatted already."""
        if (self.home / "data" / "meta.properties").exists():
            return False
        cluster_id = "-"
        while cluster_id.startswith("-"):  # as Kafka's own Uuid does: no id that reads as a flag
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        java = self._java(
            "kafka.tools.StorageTool",
            "format",
            "-t",
            cluster_id,
            "-c",
            str(self.properties_path),
            "--ignore-formatted",
        )
        # A tool that runs for seconds gains nothing from C2's compiling: C1 only halves its CPU
        # time (2.2 -> 1.2 s) and every broker started from nothing waits for it.
        java.insert(1, "-XX:TieredStopAtLevel=1")
        subprocess.run(java, check=True, stdout=subprocess.DEVNULL)
        return True

    def start(self) -> subprocess.Popen:
        log = open(self.home / "logs" / "stdout.log", "ab")
        java = self._java("kafka.Kafka", str(self.properties_path), heap=self.heap)
        if not self.test_mode:
            # `ipmarket run`'s broker, on a developer's machine: compiled by C1 only. C2 was
            # still compiling a minute after start, half of the idle broker's CPU.
            java.insert(1, "-XX:TieredStopAtLevel=1")
        self.process = subprocess.Popen(
            java,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        return self.process

    def wait_ready(self, timeout: float = 90) -> None:
        from kafka import KafkaAdminClient

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise BrokerError(
                    f"the broker exited ({self.process.returncode}); see {self.home / 'logs'}"
                )
            try:
                # A short reconnect back-off: the client's default grows to 30 s while the
                # broker is still starting, and made "ready" come up to 30 s late.
                KafkaAdminClient(
                    bootstrap_servers=self.bootstrap,
                    request_timeout_ms=3000,
                    reconnect_backoff_max_ms=500,
                ).close()
                return
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.3)
        raise BrokerError(f"the broker did not answer within {timeout:.0f}s")

    def stop(self, timeout: float = 30) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # SIGTERM: a controlled shutdown
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def run(self) -> Broker:
        """Everything from nothing: jars, config, storage, process, ready."""
        fetch_jars()
        self.write_config()
        self.format_storage()
        self.start()
        self.wait_ready()
        return self
