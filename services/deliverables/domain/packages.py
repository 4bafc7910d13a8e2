"""What a licensee's package holds, and its signed manifest's claims. Pure: no storage.

A package is made for a license from the files of its core version (the newest revision of
each kind and name) and the licensee's age keys; its fingerprint names both, so that the same
contents are never packaged twice and a change (a file added, a key registered) makes a new one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

MANIFEST_TYPE = "ipmarket-deliverables-manifest+jws"  # the JWS "typ"


@dataclass(frozen=True)
class FileRevision:
    deliverable_id: str
    kind: str
    file_name: str
    revision: int


def newest_revisions(files: Iterable[FileRevision]) -> list[FileRevision]:
    """The newest revision of each (kind, file name), in (kind, name) order."""
    newest: dict[tuple[str, str], FileRevision] = {}
    for file in files:
        held = newest.get((file.kind, file.file_name))
        if held is None or file.revision > held.revision:
            newest[(file.kind, file.file_name)] = file
    return [newest[name] for name in sorted(newest)]


def fingerprint(*parts: Iterable[str]) -> str:
    """SHA-256 (hex) of lists of strings, each sorted: the same sets give the same value."""
    text = json.dumps([sorted(part) for part in parts], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class ManifestFile:
    deliverable_id: str
    kind: str
    file_name: str
    revision: int
    protection: str | None
    size: int
    sha256: str  # of the plaintext, as the vendor uploaded it
    encrypted_size: int
    encrypted_sha256: str  # of this licensee's age ciphertext: its fingerprint of the copy


def manifest_claims(
    *,
    package_id: str,
    license_id: str,
    licensee_id: str,
    vendor_id: str,
    core_id: str,
    vlnv: dict,
    recipients: list[str],
    files: list[ManifestFile],
    issued_at: datetime,
) -> dict:
    """The manifest's payload: which license, licensee and core version, and every file's
    plaintext and ciphertext digests (the ciphertext differs for every licensee and package)."""
    return {
        "iss": "ipmarket-deliverables",
        "sub": license_id,
        "iat": int(issued_at.timestamp()),
        "package_id": package_id,
        "license_id": license_id,
        "licensee_id": licensee_id,
        "vendor_id": vendor_id,
        "core": {"core_id": core_id, "vlnv": vlnv},
        "recipients": sorted(recipients),
        "files": [
            {
                "deliverable_id": f.deliverable_id,
                "kind": f.kind,
                "file_name": f.file_name,
                "revision": f.revision,
                "protection": f.protection,
                "size": f.size,
                "sha256": f.sha256,
                "encrypted_size": f.encrypted_size,
                "encrypted_sha256": f.encrypted_sha256,
            }
            for f in files
        ],
    }


def may_serve(durable: bool, written_boot_id: str | None, boot_id: str) -> bool:
    """A package file is recorded before its bytes reach the disk. Synced, or written since
    this boot of the machine (the page cache holds it whole even if its process died), it is
    served as recorded; written before a restart and never synced, a crash may have cut it
    short, so it is checked first (package_settling.py)."""
    return durable or written_boot_id == boot_id


def intact(size: int, sha256: str, found: tuple[int, str] | None) -> bool:
    """Whether the ciphertext read back (its size and SHA-256; None: gone) is what was
    recorded and signed."""
    return found == (size, sha256)
