"""The streaming age encryption: ciphertext leaves while the plaintext is still being read, and
opens with the recipient's identity (pyrage's own decryption here; the integration tests use
Debian's age command)."""

from __future__ import annotations

import pyrage
import pytest
from pyrage import x25519

from services.deliverables.encryption import InvalidRecipient, encrypted, parse_recipient

CHUNK = 256 * 1024


def test_the_plaintext_comes_back_with_the_identity_and_not_with_another():
    identity = x25519.Identity.generate()
    data = bytes(range(256)) * 4096 * 3
    ciphertext = b"".join(
        encrypted([data[i : i + CHUNK] for i in range(0, len(data), CHUNK)], [identity.to_public()])
    )
    assert pyrage.decrypt(ciphertext, [identity]) == data
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(ciphertext, [x25519.Identity.generate()])


def test_ciphertext_leaves_before_the_whole_plaintext_is_read():
    read = []

    def chunks():
        for number in range(64):  # 16 MiB
            read.append(number)
            yield bytes([number]) * CHUNK

    stream = encrypted(chunks(), [x25519.Identity.generate().to_public()])
    next(stream)
    next(stream)
    assert len(read) < 64  # bounded by a chunk or two, not by the file
    stream.close()  # a client that goes away


def test_an_empty_file_is_encrypted_too():
    identity = x25519.Identity.generate()
    assert pyrage.decrypt(b"".join(encrypted([], [identity.to_public()])), [identity]) == b""


@pytest.mark.parametrize("text", ["", "age1", "AGE-SECRET-KEY-1XYZ", "age1" + "q" * 58])
def test_what_is_not_an_age_public_key_is_refused(text):
    with pytest.raises(InvalidRecipient):
        parse_recipient(text)
