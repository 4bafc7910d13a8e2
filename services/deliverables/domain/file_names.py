"""A deliverable's file name: one plain, portable name, never a path.

The name travels into archives, download headers, manifests and licensees' directories on any
operating system and EDA tool, so it keeps to the portable file name characters (POSIX: letters,
digits, '.', '_', '-', and '+' for C++ sources) and anything that could climb out of a directory
or mean a device is refused, not cleaned: cleaning would deliver a file under a name the vendor
never chose. FILE_NAME is the whole rule as one regular expression, for the API's document."""

from __future__ import annotations

import re

MAX_FILE_NAME = 255  # the limit of common file systems
# Names Windows keeps for devices whatever the extension (a licensee may unpack there); spelled
# with character classes, since the document's (ECMA) regular expressions have no (?i).
_DEVICE = (
    "(?:[Cc][Oo][Nn]|[Pp][Rr][Nn]|[Aa][Uu][Xx]|[Nn][Uu][Ll]|[Cc][Oo][Mm][0-9]|[Ll][Pp][Tt][0-9])"
)
FILE_NAME = rf"^(?!{_DEVICE}(?:\.|$))[A-Za-z0-9_]([A-Za-z0-9._+-]*[A-Za-z0-9_+-])?$"
_PORTABLE = re.compile(r"^[A-Za-z0-9._+-]*$")
_DEVICE_NAME = re.compile(rf"^{_DEVICE}(?:\.|$)")


def file_name_problem(name: str) -> str | None:
    """Why `name` cannot be a deliverable's file name, or None when it can."""
    if not name:
        return "must not be empty"
    if len(name) > MAX_FILE_NAME:
        return f"must be at most {MAX_FILE_NAME} characters"
    if "/" in name or "\\" in name:
        return "must be a plain file name, not a path"
    if name.startswith("."):
        return "must not start with '.'"
    if not _PORTABLE.match(name):
        return "must use only the letters A-Z and a-z, digits, '.', '_', '+' and '-'"
    if name.startswith(("-", "+")) or name.endswith("."):
        return "must not start with '-' or '+', nor end with '.'"
    if _DEVICE_NAME.match(name):
        return "must not be a device name (CON, NUL, COM1 …)"
    assert re.fullmatch(FILE_NAME, name), name  # the document's rule says the same
    return None
