"""The package worker: its own process (`ipmarket deliverables-packager`, supervised by
`ipmarket run`), preparing licensees' packages in the background (see packages.py).

Each step is its own transaction, so a crash loses at most the file being encrypted, which the
next start encrypts again; what is planned or stored is never done twice."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from services.deliverables import packages
from services.deliverables.manifest import ManifestSigner
from services.deliverables.storage import ObjectStore
from shared.db.schema import utcnow
from shared.runtime import ServiceContext

log = logging.getLogger("services.deliverables.packages")
POLL_SECONDS = 1.0  # how soon a license issued, a file added or a key registered is seen


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
    ):
        self.context = context
        self.store = store
        self.signer = signer
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        self.poll_seconds = poll_seconds

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
        """Plan, encrypt one file, finish what is whole; whether there was anything to do."""
        with self.context.session_factory() as session, session.begin():
            planned = packages.plan(session, self.clock())
        with self.context.session_factory() as session, session.begin():
            encrypted = packages.encrypt_next(session, self.store, self.clock())
        finished = packages.finish_ready(
            self.context.unit_of_work(), self.signer, self.base_url, self.clock()
        )
        if planned or finished:
            log.info("packages planned %d, finished %d", planned, finished)
        return bool(planned or encrypted or finished)

    def drain(self) -> None:
        """Work until nothing is left (tests, and `--once`)."""
        while self.step():
            pass
