"""Deliverables: the storage and encryption underneath uploads and downloads, on this machine.

1. Upload: a 512 MiB file in 64 MiB parts through the service's storage interface, to the
   directory backend and to a real S3-compatible server (SeaweedFS, started here), beside a
   plain boto3 upload_fileobj of the same bytes to the same server.
2. Download-and-encrypt: the stored file encrypted by the package worker's own call
   (package_files.encrypt_object: age_stream to one recipient, the ciphertext's SHA-256 taken on
   the way, sealing, hashing and writing on three threads) into a new stored object, rate and CPU
   per GiB, beside pyrage and Debian's `age` command encrypting
   the same file to a file; and the time to the first ciphertext byte.
Targets (issue 17): upload ≥ 80 % of plain boto3; encryption ≥ 70 % of the age command's
rate; first byte < 100 ms. The worker records a package file before it is fsynced (a file it
can make again: package_settling.py syncs it a file later, or reads it back after a crash), so
its call leaves the bytes to the page cache as the age command does: like for like. The worker's
call followed by the store's sync of the object is timed too, beside the age command followed by
an fsync of its output (both durable on disk). The serving process's resident memory for a
1 GiB download (< 150 MB) is tests/e2e/deliverables/test_packages_served.py's.
Run: `.venv/bin/python -m bench deliverables` (on a quiet machine).
"""

from __future__ import annotations

import io
import os
import random
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pyrage
from pyrage import x25519

from services.deliverables.age_stream import encrypt_chunks, recipient_bytes
from services.deliverables.package_files import encrypt_object
from services.deliverables.storage.directory import DirectoryStore
from services.deliverables.storage.s3 import S3Store
from tests.integration.deliverables.seaweedfs import ACCESS_KEY, SECRET_KEY, SeaweedFS

MiB = 2**20
PART = 64 * MiB
# 512 MiB: twice the disk at most, on a machine with little to spare; BENCH_DELIVERABLES_PARTS=1
# for a quick check that it runs (64 MiB: figures too small to quote).
PARTS = int(os.environ.get("BENCH_DELIVERABLES_PARTS", "8"))


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def part_data(number: int) -> bytes:
    return random.Random(number).randbytes(PART)


def upload_parts(store, key: str) -> float:
    started = time.perf_counter()
    upload = store.start_multipart(key, PART)
    for number in range(1, PARTS + 1):
        store.upload_part(key, upload, number, io.BytesIO(part_data(number)), PART)
    store.complete_multipart(key, upload, store.parts(key, upload))
    return time.perf_counter() - started


def main() -> None:
    size = PART * PARTS
    home = Path(tempfile.mkdtemp(prefix="bench-deliverables-"))
    server = SeaweedFS(home / "seaweedfs")
    try:
        server.start()
        s3 = None
        deadline = time.monotonic() + 60
        while s3 is None:
            try:
                s3 = S3Store.connect(endpoint_url=server.endpoint_url, bucket="bench-deliverables",
                                     region="us-east-1", access_key_id=ACCESS_KEY,
                                     secret_access_key=SECRET_KEY)  # fmt: skip
            except Exception:  # noqa: BLE001 - the volume server is still joining
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        directory = DirectoryStore(home / "store")
        rates = {}
        rates["directory"] = size / upload_parts(directory, "bench/file") / MiB
        rates["s3 (service)"] = size / upload_parts(s3, "bench/file") / MiB

        class Generated(io.RawIOBase):  # the same bytes, generated as boto3 reads them
            def __init__(self):
                self.number, self.pending = 0, b""

            def readable(self):
                return True

            def readinto(self, buffer):
                if not self.pending:
                    self.number += 1
                    if self.number > PARTS:
                        return 0
                    self.pending = part_data(self.number)
                n = min(len(buffer), len(self.pending))
                buffer[:n], self.pending = self.pending[:n], self.pending[n:]
                return n

        from boto3.s3.transfer import TransferConfig

        started = time.perf_counter()
        s3.client.upload_fileobj(io.BufferedReader(Generated(), PART), s3.bucket, "bench/plain",
                                 Config=TransferConfig(multipart_chunksize=PART))  # fmt: skip
        rates["s3 (plain boto3)"] = size / (time.perf_counter() - started) / MiB
        print(f"upload of {size // MiB} MiB in {PART // MiB} MiB parts, MiB/s:")
        for name, rate in rates.items():
            print(f"  {name:<18} {rate:8.1f}")
        share = rates["s3 (service)"] / rates["s3 (plain boto3)"]
        print(f"  service / plain boto3 on S3: {share:.0%}")

        identity = x25519.Identity.generate()
        recipient = recipient_bytes(str(identity.to_public()))
        started = time.perf_counter()
        stream = encrypt_chunks(directory.get("bench/file"), [recipient])
        next(stream)
        first_byte = time.perf_counter() - started
        stream.close()
        # The package worker's own call: the stored file, encrypted, into a new stored object,
        # its SHA-256 taken on the way (the manifest's; the age command hashes nothing), not
        # fsynced (the worker records it first and syncs it later).
        started, cpu = time.perf_counter(), _cpu(resource.RUSAGE_SELF)
        encrypt_object(directory, "bench/file", "bench/file.age", [str(identity.to_public())])
        ours = size / (time.perf_counter() - started) / MiB
        ours_cpu = (_cpu(resource.RUSAGE_SELF) - cpu) / (size / 2**30)
        started = time.perf_counter()  # and then made durable, as the worker does a file later
        encrypt_object(directory, "bench/file", "bench/synced.age", [str(identity.to_public())])
        directory.sync("bench/synced.age")
        ours_durable = size / (time.perf_counter() - started) / MiB
        plain = directory.root / "objects" / "bench" / "file"
        started = time.perf_counter()
        with open(plain, "rb") as source, open(home / "pyrage.age", "wb") as sink:
            pyrage.encrypt_io(source, sink, [identity.to_public()])
        reference = size / (time.perf_counter() - started) / MiB
        age = shutil.which("age")
        if age is None:
            print("encryption: no `age` command to compare with (apt-get install age)")
            return
        started, cpu = time.perf_counter(), _cpu(resource.RUSAGE_CHILDREN)
        subprocess.run([age, "-r", str(identity.to_public()), "-o", str(home / "cmd.age"),
                        str(plain)], check=True)  # fmt: skip
        theirs = size / (time.perf_counter() - started) / MiB
        theirs_cpu = (_cpu(resource.RUSAGE_CHILDREN) - cpu) / (size / 2**30)
        # Durable on disk, both: the same command, its output then fsynced, beside the worker's
        # call followed by the store's sync (what it costs before a crash cannot lose the file).
        os.unlink(home / "cmd.age")
        started = time.perf_counter()
        subprocess.run([age, "-r", str(identity.to_public()), "-o", str(home / "cmd.age"),
                        str(plain)], check=True)  # fmt: skip
        with open(home / "cmd.age", "rb") as written:
            os.fsync(written.fileno())
        durable = size / (time.perf_counter() - started) / MiB
        print(f"encryption of {size // MiB} MiB to one age recipient, store to store, MiB/s:")
        print(f"  service (package worker: age + SHA-256)  {ours:8.1f}")
        print(f"  pyrage.encrypt_io (what it used)          {reference:8.1f}")
        print(f"  age command (file to file)                {theirs:8.1f}")
        print(f"  service, then the store's sync            {ours_durable:8.1f}")
        print(f"  age command, then fsync of its output     {durable:8.1f}")
        print(f"  service / age: {ours / theirs:.0%}; first byte after {first_byte * 1e3:.1f} ms")
        print(f"  (service + sync) / (age + fsync): {ours_durable / durable:.0%} (both durable)")
        print(
            f"  CPU per GiB: service {ours_cpu:.2f} s, age {theirs_cpu:.2f} s "
            f"(age / service {theirs_cpu / ours_cpu:.0%}: the figure a shared machine keeps)"
        )
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
