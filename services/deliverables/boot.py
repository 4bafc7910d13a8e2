"""Which boot of this machine's kernel is running: an id the kernel draws afresh at each boot
(/proc/sys/kernel/random/boot_id). A package file written but not yet fsynced survives a
process that dies (the page cache keeps it) but maybe not the machine: its row keeps the boot
that wrote it, and a file from another boot is checked before it is served again."""

from __future__ import annotations

import uuid
from functools import cache
from pathlib import Path

BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


@cache
def boot_id() -> str:
    try:
        return BOOT_ID.read_text().strip()
    except OSError:  # no such file outside Linux: each process counts as a boot of its own,
        return f"process-{uuid.uuid4()}"  # so that what an earlier one wrote is checked
