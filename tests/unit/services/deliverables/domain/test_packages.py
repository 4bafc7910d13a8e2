"""What a package holds: the newest revision of each file, a fingerprint that the same contents
always give, and the manifest's claims."""

from __future__ import annotations

from datetime import UTC, datetime

from services.deliverables.domain.packages import (
    FileRevision,
    ManifestFile,
    fingerprint,
    manifest_claims,
    newest_revisions,
)


def test_the_newest_revision_of_each_kind_and_name_in_a_stable_order():
    files = [
        FileRevision("a1", "rtl", "uart.v", 1),
        FileRevision("b1", "documentation", "uart.pdf", 1),
        FileRevision("a3", "rtl", "uart.v", 3),
        FileRevision("a2", "rtl", "uart.v", 2),
        FileRevision("c1", "netlist", "uart.v", 1),  # same name, another kind: its own file
    ]
    assert [f.deliverable_id for f in newest_revisions(files)] == ["b1", "c1", "a3"]
    assert newest_revisions([]) == []


def test_the_fingerprint_is_of_the_sets_not_their_order():
    assert fingerprint(["a", "b"], ["k1"]) == fingerprint(["b", "a"], ["k1"])
    assert fingerprint(["a", "b"], ["k1"]) != fingerprint(["a", "b"], ["k1", "k2"])
    assert fingerprint(["a"], ["b"]) != fingerprint(["a", "b"], [])  # the parts stay apart


def test_the_manifest_names_the_license_the_licensee_the_core_and_each_files_digests():
    file = ManifestFile("d", "rtl", "uart.v", 2, None, 10, "p" * 64, 250, "c" * 64)
    claims = manifest_claims(
        package_id="p1", license_id="l1", licensee_id="o1", vendor_id="v1", core_id="c1",
        vlnv={"vendor": "v", "library": "l", "name": "n", "version": "1"},
        recipients=["age1b", "age1a"], files=[file],
        issued_at=datetime(2026, 12, 2, tzinfo=UTC),
    )  # fmt: skip
    assert (claims["sub"], claims["license_id"], claims["licensee_id"]) == ("l1", "l1", "o1")
    assert claims["core"]["core_id"] == "c1" and claims["recipients"] == ["age1a", "age1b"]
    [entry] = claims["files"]
    assert (entry["sha256"], entry["encrypted_sha256"]) == ("p" * 64, "c" * 64)
    assert (entry["size"], entry["encrypted_size"], entry["revision"]) == (10, 250, 2)
