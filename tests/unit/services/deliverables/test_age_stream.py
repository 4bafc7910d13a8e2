"""age_stream: our chunked age writer opens with pyrage (the reference's decryption; the
integration tests use Debian's `age` command) for every way the plaintext can be cut, to every
recipient and no one else; and it keeps no more than a chunk of the plaintext."""

from __future__ import annotations

import os

import pyrage
import pytest
from pyrage import x25519

from services.deliverables.age_stream import (
    CHUNK,
    SLAB,
    TAG,
    EncryptingReader,
    InvalidRecipient,
    encrypt_chunks,
    recipient_bytes,
)

MiB = 2**20


def cut(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize(
    "length", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 16 * CHUNK, 16 * CHUNK + 1, 3 * MiB + 5]
)
@pytest.mark.parametrize("piece", [1000, CHUNK, MiB, 3 * MiB + 5])
def test_every_length_and_cut_opens_to_the_same_bytes(length, piece):
    identity = x25519.Identity.generate()
    data = os.urandom(length)
    pieces = cut(data, piece)
    ciphertext = b"".join(encrypt_chunks(pieces, [recipient_bytes(str(identity.to_public()))]))
    assert pyrage.decrypt(ciphertext, [identity]) == data
    payload_chunks = max(1, -(-length // CHUNK))
    assert len(ciphertext) - ciphertext.index(b"\n---") > length + 16 * payload_chunks


@pytest.mark.parametrize("buffer", [1000, CHUNK + TAG - 1, CHUNK + TAG, MiB, SLAB, 3 * MiB])
@pytest.mark.parametrize("piece", [1000, CHUNK, MiB])
def test_readinto_any_buffer_sealed_straight_into_or_copied_opens_the_same(buffer, piece):
    identity = x25519.Identity.generate()
    data = os.urandom(2 * MiB + 5)
    reader = EncryptingReader(cut(data, piece), [recipient_bytes(str(identity.to_public()))])
    into, parts = memoryview(bytearray(buffer)), []
    while count := reader.readinto(into):
        parts.append(bytes(into[:count]))
    assert reader.readinto(into) == 0
    assert pyrage.decrypt(b"".join(parts), [identity]) == data


def test_every_recipient_opens_it_and_nobody_else():
    identities = [x25519.Identity.generate() for _ in range(3)]
    data = os.urandom(200_000)
    ciphertext = b"".join(
        encrypt_chunks([data], [recipient_bytes(str(i.to_public())) for i in identities])
    )
    for identity in identities:
        assert pyrage.decrypt(ciphertext, [identity]) == data
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(ciphertext, [x25519.Identity.generate()])


def test_a_source_that_reuses_its_buffer_is_safe():
    data = os.urandom(5 * CHUNK + 7)
    buffer = bytearray(CHUNK + 3)

    def reused():
        for start in range(0, len(data), len(buffer)):
            piece = data[start : start + len(buffer)]
            buffer[: len(piece)] = piece
            yield memoryview(buffer)[: len(piece)]

    identity = x25519.Identity.generate()
    ciphertext = b"".join(encrypt_chunks(reused(), [recipient_bytes(str(identity.to_public()))]))
    assert pyrage.decrypt(ciphertext, [identity]) == data


def test_ciphertext_leaves_before_the_plaintext_is_all_read():
    read = []

    def source():
        for number in range(64):
            read.append(number)
            yield bytes([number]) * MiB

    reader = EncryptingReader(
        source(), [recipient_bytes(str(x25519.Identity.generate().to_public()))]
    )
    buffer = bytearray(MiB)
    for _ in range(3):
        reader.readinto(buffer)
    assert len(read) <= 3


@pytest.mark.parametrize(
    "text",
    [
        "",
        "age1",
        "AGE-SECRET-KEY-1XYZ",
        "age1" + "q" * 58,  # a bad checksum
        "AGE1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSWRZ8LU",  # upper case
        "age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqsbllllll",  # not Bech32
    ],
)
def test_what_is_not_an_age_public_key_is_refused(text):
    with pytest.raises(InvalidRecipient):
        recipient_bytes(text)


def test_a_key_decodes_to_the_32_bytes_pyrage_encrypts_to():
    identity = x25519.Identity.generate()
    raw = recipient_bytes(str(identity.to_public()))
    assert len(raw) == 32


def test_read_with_no_size_returns_everything_to_the_end():
    identity = x25519.Identity.generate()
    data = os.urandom(3 * MiB + 5)
    pieces = [data[i : i + MiB] for i in range(0, len(data), MiB)]
    reader = EncryptingReader(pieces, [recipient_bytes(str(identity.to_public()))])
    ciphertext = reader.read()
    assert reader.read() == b""
    assert pyrage.decrypt(ciphertext, [identity]) == data
