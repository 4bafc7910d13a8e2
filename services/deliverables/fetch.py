"""`ipmarket deliverables fetch`: a licensee's script downloads its package, checks the manifest's
signature against the service's JWKS, each ciphertext against its signed SHA-256, decrypts it
with the licensee's age identity (pyrage) and checks the plaintext against its signed SHA-256.
A file lands under its name only once all of that holds; nothing is ever whole in memory."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pyrage
import requests
from pyrage import x25519

from shared.jws import (
    JwsError,
    b64url_decode,
    is_manifest_kid,
    public_keys_from_jwks,
    verify_compact,
)

CHUNK = 1024 * 1024
_TOKEN = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,254}$")


class FetchError(Exception):
    """Why the package could not be fetched whole and checked: one line for the user."""


def license_id_of(text: str) -> str:
    """The license's id (its `jti`) from a license file, armoured or a bare compact JWS. Not
    verified here: the service decides what the key may fetch, the manifest what is genuine."""
    lines = [line.strip() for line in text.strip().splitlines()]
    body = [ln for ln in lines if ln and not ln.startswith("-----") and ": " not in ln]
    token = "".join(body)
    if not _TOKEN.match(token):
        raise FetchError("the license file holds no compact JWS")
    try:
        claims = json.loads(b64url_decode(token.split(".")[1]))
        return str(claims["jti"])
    except (JwsError, ValueError, KeyError, TypeError):
        raise FetchError("the license file's token names no license (jti)") from None


def identities_of(text: str) -> list[x25519.Identity]:
    found = []
    for line in text.splitlines():
        if line.strip().startswith("AGE-SECRET-KEY-"):
            try:
                found.append(x25519.Identity.from_str(line.strip()))
            except (pyrage.IdentityError, ValueError):
                raise FetchError("the identity file holds a line that is no age identity") from None
    if not found:
        raise FetchError("the identity file holds no age identity (AGE-SECRET-KEY-1…)")
    return found


def _get(http, url: str, api_key: str | None = None, **kwargs):
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        answer = http.get(url, headers=headers, timeout=60, **kwargs)
    except requests.RequestException as error:
        raise FetchError(f"{url}: {error.__class__.__name__}") from None
    if answer.status_code != 200:
        try:
            detail = answer.json().get("detail", answer.reason)
        except ValueError:
            detail = answer.reason
        raise FetchError(f"{url.split('?')[0]}: {answer.status_code} {detail}")
    return answer


def fetch(license_text, identity_text, out: Path, api_key: str, base_url: str, http=requests):
    """Fetch, check and decrypt the license's package into `out`; the files written."""
    license_id = license_id_of(license_text)
    identities = identities_of(identity_text)
    base_url = base_url.rstrip("/")
    package = _get(http, f"{base_url}/v1/licenses/{license_id}/package", api_key).json()
    keys = public_keys_from_jwks(_get(http, f"{base_url}/.well-known/jwks.json").json())
    keys = {kid: key for kid, key in keys.items() if is_manifest_kid(kid)}  # never a license key
    try:
        _, claims = verify_compact(package["manifest"], keys)
    except JwsError as error:
        raise FetchError(f"the manifest's signature does not hold: {error}") from None
    if claims.get("license_id") != license_id:
        raise FetchError("the manifest is for another license")
    links = {f["deliverable_id"]: f["url"] for f in package["files"]}
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.jws").write_text(package["manifest"] + "\n")
    return [_fetch_one(http, signed, links, identities, out) for signed in claims["files"]]


def _fetch_one(http, signed: dict, links: dict, identities, out: Path) -> Path:
    name = signed["file_name"]
    if not _SAFE_NAME.match(name) or name in ("manifest.jws",):
        raise FetchError(f"the manifest names a file {name!r} that cannot be written safely")
    if signed["deliverable_id"] not in links:
        raise FetchError(f"the package has no link for {name}")
    ciphertext, plaintext = out / f".{name}.age.part", out / f".{name}.part"
    digest, size = hashlib.sha256(), 0
    with _get(http, links[signed["deliverable_id"]], stream=True) as answer:
        with open(ciphertext, "wb") as sink:
            for chunk in answer.iter_content(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                sink.write(chunk)
    if (digest.hexdigest(), size) != (signed["encrypted_sha256"], signed["encrypted_size"]):
        ciphertext.unlink()
        raise FetchError(f"{name}: the download does not match the manifest's digest")
    try:
        with open(ciphertext, "rb") as source, open(plaintext, "wb") as sink:
            pyrage.decrypt_io(source, sink, identities)
    except pyrage.DecryptError:
        plaintext.unlink(missing_ok=True)
        raise FetchError(f"{name}: none of the identities opens it") from None
    finally:
        ciphertext.unlink(missing_ok=True)
    if _sha256_of(plaintext) != signed["sha256"]:
        plaintext.unlink()
        raise FetchError(f"{name}: the decrypted file does not match the manifest's digest")
    return plaintext.rename(out / name)


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
