"""The package worker: its own process (`ipmarket deliverables-packager`, supervised by
`ipmarket run`), preparing licensees' packages in the background (packages.py,
package_files.py).

Work is queued by what changes a package (package_queue.py: the license and core version
events it consumes, a file uploaded, a key registered), so an idle worker reads two small
indexed queries a second (once nothing is left to sync) and rescans nothing; every license in
force is wanted again only at a long interval, as a safety net. No transaction is held while a
file is encrypted.

A file is recorded before it is synced (package_settling.py): the worker syncs each one a file
later (its writeback overlaps the next file's encryption) or when idle, and after a restart of
the machine reads back those it had not synced before anything else."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from services.deliverables import package_files, package_queue, package_settling, packages
from services.deliverables.boot import boot_id as current_boot_id
from services.deliverables.manifest import ManifestSigner
from services.deliverables.storage import ObjectStore
from shared.db.schema import utcnow
from shared.runtime import ServiceContext

log = logging.getLogger("services.deliverables.packages")
POLL_SECONDS = 1.0  # how soon a wanted package or a pending file is seen
SWEEP_EVERY = timedelta(hours=6)  # the safety net: every license in force wanted again
LEASE = timedelta(minutes=30)  # how long a claim on a file holds: longer than encrypting it


class PackageWorker:
    def __init__(
        self,
        context: ServiceContext,
        store: ObjectStore,
        signer: ManifestSigner,
        base_url: str,
        *,
        clock: Callable[[], datetime] = utcnow,
        poll_seconds: float = POLL_SECONDS,
        sweep_every: timedelta = SWEEP_EVERY,
        lease: timedelta = LEASE,
        boot_id: str | None = None,
    ):
        self.context = context
        self.store = store
        self.signer = signer
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.sweep_every = sweep_every
        self.lease = lease
        self.boot_id = boot_id or current_boot_id()
        self.next_sweep = clock() + sweep_every  # (the migration wanted those in force once)
        # Files to sync or read back may be there: at start (after a restart of the machine,
        # or a worker that died before syncing), after a file is stored, at each sweep.
        self.settling_due = True

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                busy = self.step()
            except Exception:
                log.exception("preparing packages failed; trying again")
                busy = False
            if not busy:
                stop.wait(self.poll_seconds)

    def step(self) -> bool:
        """Sweep if due, plan one wanted license, check one file a restart may have cut short,
        encrypt one file and sync those stored before it (all of them when idle); whether
        there was work."""
        now = self.clock()
        if now >= self.next_sweep:
            with self.context.session_factory() as session, session.begin():
                wanted = package_queue.want_all(session, now)
            self.next_sweep = now + self.sweep_every
            log.info("safety sweep: %d licenses in force wanted again", wanted)
            self.settling_due = True
        busy = self.plan_next()
        if self.settling_due:
            busy |= self.check_next()
        started = self.clock()
        if self.encrypt_next():
            self.settling_due = True
            self.sync_stored(before=started)  # the file just stored goes on writing back
            return True
        if self.settling_due:
            busy |= self.sync_stored(before=None)
            self.settling_due = busy  # (an idle worker stops asking until there is more)
        return busy

    def plan_next(self) -> bool:
        now = self.clock()
        with self.context.unit_of_work() as uow:
            license_id = package_queue.take_next(uow.session)
            if license_id is None:
                return False
            planned = packages.plan(uow.session, license_id, now)
            finished = packages.finish_ready(uow, self.signer, self.base_url, license_id, now)
            package_queue.done(uow.session, license_id)
            uow.commit()
        if planned or finished:
            log.info("license %s: packages planned %d, finished %d", license_id, planned, finished)
        return True

    def encrypt_next(self) -> bool:
        with self.context.session_factory() as session, session.begin():
            claim = package_files.claim(session, self.clock(), self.lease)
        if claim is None:
            return False
        self.store_file(claim)
        return True

    def store_file(self, claim: package_files.Claim) -> bool:
        """Encrypt the claimed file and record it; False if the claim had lapsed meanwhile."""
        ciphertext = package_files.encrypt(self.store, claim)  # no transaction open
        with self.context.unit_of_work() as uow:
            recorded = package_files.record(uow.session, claim, ciphertext, self.clock(),
                                            self.boot_id)  # fmt: skip
            if recorded:
                packages.finish_ready(uow, self.signer, self.base_url, claim.license_id,
                                      self.clock())  # fmt: skip
            uow.commit()
        if not recorded:  # the claim lapsed and another attempt took the file over
            self.store.delete(claim.object_key)
        return recorded

    def check_next(self) -> bool:
        """Read back one file a restart of the machine may have cut short (none, but after
        one): kept if whole, else prepared again and its packages signed again."""
        with self.context.session_factory() as session, session.begin():
            file = package_settling.claim_unchecked(session, self.boot_id, self.clock(),
                                                    self.lease)  # fmt: skip
        if file is None:
            return False
        settling = package_settling.settle(self.store, file, self.boot_id)  # no transaction
        with self.context.session_factory() as session, session.begin():
            recorded = package_settling.record(session, file, settling)
        if recorded and settling is package_settling.Settling.PREPARE_AGAIN:
            log.warning("package file %s was cut short by a restart: prepared again",
                        file.package_file_id)  # fmt: skip
        return True

    def sync_stored(self, before: datetime | None) -> bool:
        """Sync the files written since this boot and stored before `before` (None: all)."""
        with self.context.session_factory() as session:
            files = package_settling.unsynced(session, self.boot_id, before)
        settled = [(file, package_settling.settle(self.store, file, self.boot_id))
                   for file in files]  # fmt: skip
        if settled:
            with self.context.session_factory() as session, session.begin():
                for file, settling in settled:
                    package_settling.record(session, file, settling)
        return bool(settled)

    def drain(self) -> None:
        """Work until nothing is left (tests, and `--once`)."""
        while self.step():
            pass
