"""What a password must be, per NIST SP 800-63B-4 (2024): long enough, not too long to be
accepted, not on a list of common or breached passwords, not the person's own e-mail or name,
and nothing else (no composition rules, no forced expiry).

Chosen: at least 15 characters for everyone, the revision's rule for a password used alone.
A person sets the password before any second factor exists, and an organisation may later stop
requiring one, so the shorter minimum (8, only with a second factor) would not hold for long.
Characters are counted after NFKC normalisation (what the hash is taken of), so "ｐａｓｓ" and
"pass" are the same password.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources

MIN_LENGTH = 15
MAX_LENGTH = 128  # at least 64 accepted, as the guidance asks; bounded so hashing stays cheap


def normalised(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list (common_passwords.txt, one a line, lower case): the most used passwords
    and patterns, long ones included, since short ones fail the length rule anyway."""
    text = resources.files(__package__).joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, *, context: tuple[str, ...] = ()) -> str | None:
    """Why the password is refused (one sentence for the person), or None when it is fine.
    `context`: the person's e-mail address and names, which a password must not be."""
    password = normalised(password)
    if len(password) < MIN_LENGTH:
        return f"a password needs at least {MIN_LENGTH} characters; a few words make a good one"
    if len(password) > MAX_LENGTH:
        return f"a password has at most {MAX_LENGTH} characters"
    folded = password.casefold()
    if folded in common_passwords() or _repetitive(folded):
        return "this password is among the most common ones; choose another"
    for word in context:
        word = normalised(word).casefold().strip()
        local = word.split("@")[0]
        if word and (
            folded == word
            or (len(local) >= 4 and folded.startswith(local) and len(folded) - len(local) < 4)
        ):
            return "a password must not be your e-mail address or name"
    return None


def _repetitive(password: str) -> bool:
    """One short unit repeated ("aaaa…", "abcabc…") or one run of consecutive characters
    ("123456789…", "abcdefgh…")."""
    for unit in range(1, 5):
        if len(password) % unit == 0 and password == password[:unit] * (len(password) // unit):
            return True
    steps = {ord(b) - ord(a) for a, b in zip(password, password[1:])}
    return steps in ({1}, {-1})
