"""A deliverable's file name: one plain name, never a path.

The name travels into archives, download headers and licensees' directories, so anything that
could climb out of a directory or confuse a shell or a file system is refused, not cleaned:
cleaning would deliver a file under a name the vendor never chose."""

from __future__ import annotations

import unicodedata

MAX_FILE_NAME = 255  # bytes in UTF-8: the limit of common file systems
# Names Windows reserves whatever the extension (a licensee may unpack there).
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}  # fmt: skip
_FORBIDDEN = set('/\\:*?"<>|')


def file_name_problem(name: str) -> str | None:
    """Why `name` cannot be a deliverable's file name, or None when it can."""
    if not name or not name.strip():
        return "must not be empty"
    if len(name.encode("utf-8", "surrogatepass")) > MAX_FILE_NAME:
        return f"must be at most {MAX_FILE_NAME} bytes in UTF-8"
    if name in {".", ".."} or name.startswith("."):
        return "must not start with '.'"
    if found := sorted(_FORBIDDEN & set(name)):
        return f"must be a plain file name, without {' '.join(found)}"
    if any(unicodedata.category(c) in {"Cc", "Cf", "Cs", "Zl", "Zp"} for c in name):
        return "must not contain control or invisible formatting characters"
    if name != name.strip() or name.endswith("."):
        return "must not start or end with a space, nor end with '.'"
    if name.split(".")[0].lower() in _RESERVED:
        return "must not be a device name (CON, NUL, COM1 …)"
    if unicodedata.normalize("NFC", name) != name:
        return "must be in Unicode normal form C"
    return None
