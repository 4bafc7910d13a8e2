"""The second factor: TOTP (RFC 6238, through pyotp: 30 s steps, 6 digits, one step of clock
drift either way; a code works once) and ten single-use recovery codes, kept as SHA-256 (they
are random, so a slow hash adds nothing)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp

from services.catalog.people_models import RecoveryCode, TotpSecret

ISSUER = "ipmarket"
RECOVERY_CODES = 10


def in_force(records, person_id: str) -> bool:
    """A confirmed TOTP secret or a passkey (passkeys.py)."""
    totp = records.totp(person_id)
    return (totp is not None and totp.confirmed_at is not None) or bool(
        records.passkeys_of(person_id)
    )


def enrol(records, person_id: str, email: str, now: datetime) -> str:
    """A new, unconfirmed secret (replacing an unconfirmed one); the otpauth:// URI for the
    authenticator app's QR code."""
    totp = records.totp(person_id)
    if totp is None:
        totp = TotpSecret(person_id=person_id, secret="", created_at=now, last_step=0)
        records.add(totp)
    totp.secret, totp.confirmed_at, totp.created_at = pyotp.random_base32(), None, now
    records.flush()
    return pyotp.TOTP(totp.secret).provisioning_uri(name=email, issuer_name=ISSUER)


def confirm(records, person_id: str, code: str, now: datetime) -> list[str] | None:
    """The first code puts the secret in force; the recovery codes, shown once (None: wrong)."""
    totp = records.totp(person_id)
    if totp is None or not _totp_accepts(totp, code, now):
        return None
    totp.confirmed_at = now
    for old in records.recovery_codes(person_id):
        records.delete(old)
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    for code_text in codes:
        records.add(RecoveryCode(person_id=person_id, code_hash=_hash(code_text)))
    records.flush()
    return codes


def accept_code(records, person_id: str, code: str, now: datetime) -> bool:
    totp = records.totp(person_id)
    if totp is not None and totp.confirmed_at is not None and _totp_accepts(totp, code, now):
        return True
    digest = _hash(code.strip().lower())
    for recovery in records.recovery_codes(person_id):
        if recovery.used_at is None and hmac.compare_digest(recovery.code_hash, digest):
            recovery.used_at = now
            return True
    return False


def reset(records, person_id: str) -> bool:
    """Remove the second factor, TOTP and passkeys alike (an operator's act after a lost phone,
    audited by event); whether there was one."""
    totp = records.totp(person_id)
    passkeys = records.passkeys_of(person_id)
    for row in [*([totp] if totp else []), *records.recovery_codes(person_id), *passkeys]:
        records.delete(row)
    records.flush()
    return totp is not None or bool(passkeys)


def _totp_accepts(totp: TotpSecret, code: str, now: datetime) -> bool:
    code = code.strip()
    generator = pyotp.TOTP(totp.secret)
    step = generator.timecode(now)
    for candidate in (step - 1, step, step + 1):
        if candidate > totp.last_step and hmac.compare_digest(
            generator.generate_otp(candidate), code
        ):
            totp.last_step = candidate  # this code, and any earlier, never again
            return True
    return False


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()
