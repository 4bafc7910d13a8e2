"""Verifying a license: the one function behind both the HTTP endpoint and the offline
`ipmarket license verify` command, so that both give the same answer.

Online the keys come from the database and the statuses from the licenses themselves; offline
they come from a JWKS document and a signed status list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from shared.jws import BadSignature, MalformedJws, UnknownKey, is_manifest_kid, verify_compact

ARMOUR_BEGIN = "-----BEGIN IPMARKET LICENSE-----"
ARMOUR_END = "-----END IPMARKET LICENSE-----"
STATUS_LIST_TYP = "ipmarket-status-list+jwt"
LICENSE_TYP = "ipmarket-license+jwt"
REQUIRED_CLAIMS = ("jti", "iss", "iat", "nbf", "vendor", "licensee", "core")


class Result(str, Enum):
    VALID = "VALID"
    EXPIRED = "EXPIRED"
    NOT_YET_VALID = "NOT_YET_VALID"
    SUSPENDED = "SUSPENDED"
    REVOKED = "REVOKED"
    BAD_SIGNATURE = "BAD_SIGNATURE"
    UNKNOWN_KEY = "UNKNOWN_KEY"
    MALFORMED = "MALFORMED"
    WRONG_CORE = "WRONG_CORE"


@dataclass(frozen=True)
class Verification:
    result: Result
    detail: str
    license_id: str | None = None
    claims: dict = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.result is Result.VALID

    def as_dict(self) -> dict:
        return {
            "result": self.result.value,
            "valid": self.valid,
            "detail": self.detail,
            "license_id": self.license_id,
            "claims": self.claims,
        }


def unarmour(text: str) -> str:
    """The compact JWS inside an armoured license file, or the text itself if not armoured."""
    text = text.strip()
    if not text.startswith(ARMOUR_BEGIN):
        return text
    if ARMOUR_END not in text:
        raise MalformedJws(f"the license file has no {ARMOUR_END} line")
    body = text[len(ARMOUR_BEGIN) : text.index(ARMOUR_END)].strip("\n")
    # Header lines ("Name: value") come first, then an empty line, then the token.
    _, blank, token = body.partition("\n\n")
    return "".join((token if blank else body).split())


def armour(token: str, headers: dict[str, str]) -> str:
    lines = [ARMOUR_BEGIN, *(f"{k}: {v}" for k, v in headers.items()), ""]
    lines += [token[i : i + 64] for i in range(0, len(token), 64)]
    return "\n".join([*lines, ARMOUR_END, ""])


def verify_signed(text: str, keys: Mapping[str, Ed25519PublicKey]) -> tuple[dict, dict]:
    """(header, payload) of a compact JWS signed by one of `keys`; raises SignatureProblem."""
    try:
        return verify_compact(unarmour(text), keys)
    except UnknownKey as exc:
        raise SignatureProblem(Result.UNKNOWN_KEY, str(exc)) from None
    except BadSignature as exc:
        raise SignatureProblem(Result.BAD_SIGNATURE, str(exc)) from None
    except MalformedJws as exc:
        raise SignatureProblem(Result.MALFORMED, str(exc)) from None


class SignatureProblem(Exception):
    def __init__(self, result: Result, detail: str):
        super().__init__(detail)
        self.result, self.detail = result, detail


def verify_license(
    text: str,
    keys: Mapping[str, Ed25519PublicKey],
    statuses: Mapping[str, str] | None,
    *,
    core: str | None = None,
    now: datetime | None = None,
) -> Verification:
    """`statuses`: license id → "revoked" or "suspended" (absent: in good standing).
    `core`: "vendor:library:name:version" the license is checked for, if given."""
    now = now or datetime.now(UTC)
    try:
        header, claims = verify_signed(text, _LicenseKeys(keys))
    except SignatureProblem as problem:
        return Verification(problem.result, problem.detail)
    missing = [c for c in REQUIRED_CLAIMS if c not in claims]
    if header.get("typ") != LICENSE_TYP or missing:
        return Verification(
            Result.MALFORMED,
            "not an ipmarket license" + (f": missing {', '.join(missing)}" if missing else ""),
        )
    license_id = claims["jti"]

    def answer(result: Result, detail: str) -> Verification:
        return Verification(result, detail, license_id, claims)

    status = (statuses or {}).get(license_id)
    if status == "revoked":
        return answer(Result.REVOKED, "the license was revoked")
    if status == "suspended":
        return answer(Result.SUSPENDED, "the license is suspended")
    try:
        if now.timestamp() < claims["nbf"]:
            return answer(Result.NOT_YET_VALID, "the license is not valid yet")
        if claims.get("exp") is not None and now.timestamp() >= claims["exp"]:
            return answer(Result.EXPIRED, "the license has expired")
    except TypeError:
        return answer(Result.MALFORMED, "nbf and exp must be numbers")
    if core is not None and not covers(claims["core"], core):
        return answer(Result.WRONG_CORE, f"the license does not cover {core}")
    return answer(Result.VALID, "the license is valid")


class _LicenseKeys:
    """`keys` without the manifest keys a JWKS also holds: a manifest key never verifies a
    license (its kid is unknown here)."""

    def __init__(self, keys: Mapping[str, Ed25519PublicKey]):
        self._keys = keys

    def get(self, kid, default=None):
        return default if is_manifest_kid(kid) else self._keys.get(kid, default)


def covers(licensed: dict, core: str) -> bool:
    """Whether the licensed core (vlnv + version constraint) covers "vendor:library:name:ver"."""
    parts = core.split(":")
    if len(parts) != 4:
        return False
    vlnv = licensed.get("vlnv", {})
    if parts[:3] != [vlnv.get("vendor"), vlnv.get("library"), vlnv.get("name")]:
        return False
    return version_allowed(licensed.get("version_constraint", ""), parts[3])


def version_allowed(constraint: str, version: str) -> bool:
    try:
        spec = SpecifierSet(constraint)
    except InvalidSpecifier:
        return False
    try:
        return spec.contains(Version(version), prereleases=True)
    except InvalidVersion:
        # Versions outside PEP 440 (e.g. "r1p0") match only an arbitrary-equality constraint.
        return any(s.operator == "===" and s.version == version for s in spec)


def read_status_list(text: str, keys: Mapping[str, Ed25519PublicKey]) -> dict[str, str]:
    """The statuses of a signed status list; raises SignatureProblem if it is not genuine."""
    header, claims = verify_signed(text, _LicenseKeys(keys))
    if header.get("typ") != STATUS_LIST_TYP or not isinstance(claims.get("statuses"), dict):
        raise SignatureProblem(Result.MALFORMED, "not an ipmarket status list")
    return claims["statuses"]
