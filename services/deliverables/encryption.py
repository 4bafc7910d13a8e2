"""Files encrypted to their licensee with age (X25519 recipients, `age1…`), as a stream: the
store's chunks go in, ciphertext chunks come out while the rest is still being read, so a
20 GiB file is never whole in memory and its first bytes leave at once.

Keys are checked with pyrage (the reference's parser); the encryption itself is age_stream's
chunked writer on OpenSSL's ChaCha20-Poly1305, at 3-4 times pyrage's rate here (see there)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyrage
from pyrage import x25519

from services.deliverables.age_stream import encrypt_chunks, recipient_bytes


class InvalidRecipient(ValueError):
    pass


def parse_recipient(text: str) -> x25519.Recipient:
    try:
        return x25519.Recipient.from_str(text)
    except (pyrage.RecipientError, ValueError) as error:
        raise InvalidRecipient(str(error) or "not an age X25519 public key") from None


def encrypted(chunks: Iterable[bytes], recipients: list[x25519.Recipient]) -> Iterator[bytes]:
    """The age encryption of the concatenated `chunks` to every one of `recipients`."""
    return encrypt_chunks(chunks, [recipient_bytes(str(r)) for r in recipients])
