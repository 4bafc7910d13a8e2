"""age v1 encryption (age-encryption.org/v1, X25519 recipients) written chunk by chunk with
OpenSSL's ChaCha20-Poly1305 (`cryptography`).

Why not pyrage for the payload: pyrage encrypts even bytes already in memory at a quarter of
the `age` command's rate on this machine (its ChaCha20-Poly1305 is the ceiling, not our
plumbing: see bench/deliverables.py), and it hides the file key, so its header cannot be
paired with a faster payload. The format is small and fixed (the C2SP age specification):
  header  "age-encryption.org/v1", one "-> X25519" stanza per recipient (the 16-byte file key
          wrapped with ChaCha20-Poly1305 under HKDF(X25519(ephemeral, recipient))), then
          "--- " and an HMAC-SHA256 of the header under HKDF(file key, "header");
  payload a 16-byte nonce, then 64 KiB chunks sealed with ChaCha20-Poly1305 under
          HKDF(file key, nonce, "payload"), nonce = 11-byte counter + last-chunk flag.
Any age tool decrypts the result (tests decrypt it with Debian's `age` and with pyrage)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
from collections.abc import Iterable, Iterator

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

CHUNK = 64 * 1024  # the age payload's plaintext chunk
TAG = 16  # Poly1305's
SLAB = 16 * (CHUNK + TAG)  # ciphertext sealed at a time: 1 MiB of plaintext
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_X25519_INFO = b"age-encryption.org/v1/X25519"


class InvalidRecipient(ValueError):
    pass


def recipient_bytes(text: str) -> bytes:
    """The 32-byte X25519 public key of an `age1…` recipient (Bech32, BIP 173)."""
    text = text.strip()
    if text.lower() != text or not text.startswith("age1") or len(text) > 90:
        raise InvalidRecipient("not an age X25519 public key (age1…)")
    try:
        values = [_BECH32.index(c) for c in text[4:]]
    except ValueError:
        raise InvalidRecipient("not Bech32: a character outside its alphabet") from None
    if _polymod([ord(c) >> 5 for c in "age"] + [0] + [ord(c) & 31 for c in "age"] + values) != 1:
        raise InvalidRecipient("its Bech32 checksum does not match")
    bits, acc, out = 0, 0, bytearray()
    for value in values[:-6]:
        acc, bits = (acc << 5) | value, bits + 5
        if bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    if len(out) != 32 or bits >= 5 or acc & ((1 << bits) - 1):
        raise InvalidRecipient("not a 32-byte X25519 key")
    return bytes(out)


def _polymod(values: list[int]) -> int:
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            check ^= generator[i] if (top >> i) & 1 else 0
    return check


def _hkdf(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt or None, info).derive(ikm)


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def _stanza(file_key: bytes, recipient: bytes) -> bytes:
    ephemeral = X25519PrivateKey.generate()
    share = ephemeral.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient))
    if shared == bytes(32):
        raise InvalidRecipient("a low-order X25519 key")
    wrap = _hkdf(shared, share + recipient, _X25519_INFO)
    body = _b64(ChaCha20Poly1305(wrap).encrypt(bytes(12), file_key, None))
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    if len(body) % 64 == 0:
        lines.append(b"")  # a full last line is followed by an empty one
    return b"-> X25519 " + _b64(share) + b"\n" + b"\n".join(lines) + b"\n"


def header(file_key: bytes, recipients: list[bytes]) -> bytes:
    if not recipients:
        raise InvalidRecipient("at least one recipient")
    text = b"age-encryption.org/v1\n" + b"".join(_stanza(file_key, r) for r in recipients)
    text += b"---"
    mac = hmac.new(_hkdf(file_key, b"", b"header"), text, hashlib.sha256).digest()
    return text + b" " + _b64(mac) + b"\n"


class EncryptingReader(io.RawIOBase):
    """A reader of the age encryption of the concatenated `chunks` to every recipient (raw
    X25519 keys): bounded memory whatever the length. `readinto` a buffer that holds at least a
    sealed chunk (64 KiB + 16) seals straight into it, as many whole chunks as fit: no copy of
    the ciphertext at all (shared/pipelined_reader.py hands it slabs of SLAB bytes). Smaller
    buffers and `read` take it from one buffer kept for the whole stream: allocating a fresh
    1 MiB per read halved the rate (the page faults of new memory cost as much as the cipher)."""

    def __init__(self, chunks: Iterable[bytes], recipients: list[bytes]):
        file_key = os.urandom(16)
        nonce = os.urandom(16)
        self._seal = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload")).encrypt_into
        self._chunks = (chunk for chunk in chunks if chunk)
        self._counter = 0
        self._rest = memoryview(b"")  # what is left of the source's current chunk
        self._tail = b""  # a piece carried over from an earlier chunk (the source may reuse it)
        self._slab = memoryview(bytearray(SLAB))
        self._out = memoryview(header(file_key, recipients) + nonce)  # sealed, not yet read
        self._ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self._out and len(buffer) >= CHUNK + TAG:
            return self._seal_into(memoryview(buffer).cast("B"))
        while not self._out:
            if self._ended:
                return 0
            self._out = self._slab[: self._seal_into(self._slab)]
        size = min(len(buffer), len(self._out))
        buffer[:size] = self._out[:size]
        self._out = self._out[size:]
        return size

    def read(self, size: int | None = -1) -> bytes:
        """One copy out of the sealed buffer (RawIOBase's own read makes two, and allocates);
        with no size, everything to the end."""
        if size is None or size < 0:
            parts = []
            while part := self.read(SLAB):
                parts.append(part)
            return b"".join(parts)
        while not self._out:
            if self._ended:
                return b""
            self._out = self._slab[: self._seal_into(self._slab)]
        chunk, self._out = bytes(self._out[:size]), self._out[size:]
        return chunk

    def _seal_into(self, out: memoryview) -> int:
        """Seal as many whole chunks as `out` holds; the bytes written (0: the end). A chunk is
        sealed only once it is known whether more follows it (the last one is flagged)."""
        used, room = 0, len(out) // (CHUNK + TAG)
        while room and not self._ended:
            if not self._tail and len(self._rest) > CHUNK:  # a whole chunk, more after it
                piece, self._rest = self._rest[:CHUNK], self._rest[CHUNK:]
            elif len(self._tail) == CHUNK and self._rest:
                piece, self._tail = self._tail, b""
            elif self._rest:  # the last bytes of the source's chunk: carried over
                need = CHUNK - len(self._tail)
                self._tail, self._rest = self._tail + bytes(self._rest[:need]), self._rest[need:]
                continue
            else:
                following = next(self._chunks, None)
                if following is not None:
                    self._rest = memoryview(following).cast("B")
                    continue
                piece, self._ended = self._tail, True
            used += self._seal_piece(piece, out[used : used + len(piece) + TAG], self._ended)
            room -= 1
        return used

    def _seal_piece(self, piece, out, last: bool) -> int:
        nonce = self._counter.to_bytes(11, "big") + (b"\1" if last else b"\0")
        self._seal(nonce, piece, None, out)
        self._counter += 1
        return len(piece) + TAG


def encrypt_chunks(chunks: Iterable[bytes], recipients: list[bytes]) -> Iterator[bytes]:
    """The same, as chunks of at most 1 MiB (for a response body or a test)."""
    reader = EncryptingReader(chunks, recipients)
    while chunk := reader.read(SLAB):
        yield chunk
