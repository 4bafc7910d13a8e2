"""Signing keys at rest: encrypted under the configured secret, and a missing or wrong secret
stops start-up with a message that names the setting."""

from __future__ import annotations

import stat

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization

from services.licensing.app import create_app
from services.licensing.models import SigningKey
from shared.config import ConfigError
from shared.db.migrations import upgrade


def stored_keys(app) -> list[SigningKey]:
    with app.extensions["ipmarket"].session_factory() as session:
        return list(session.scalars(sa.select(SigningKey)))


def test_private_key_is_stored_only_encrypted(app, caplog):
    [key] = stored_keys(app)
    _, private_key = app.extensions["licensing.keyring"].signer(
        app.extensions["ipmarket"].session_factory()
    )
    raw = private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    from shared.jws import b64url_encode

    assert key.encrypted_private_key.startswith("scrypt-aes256gcm-v1.")
    assert b64url_encode(raw) not in key.encrypted_private_key
    assert raw.hex() not in key.encrypted_private_key
    assert b64url_encode(raw) not in caplog.text


def test_start_up_fails_naming_the_setting_when_the_secret_is_missing_or_wrong(app, monkeypatch):
    monkeypatch.delenv("IPMARKET_SIGNING_KEY_SECRET")
    with pytest.raises(ConfigError, match="IPMARKET_SIGNING_KEY_SECRET.* is not set"):
        create_app()
    monkeypatch.setenv("IPMARKET_SIGNING_KEY_SECRET", "another secret of enough length")
    with pytest.raises(ConfigError, match="IPMARKET_SIGNING_KEY_SECRET.* does not decrypt"):
        create_app()
    monkeypatch.setenv("IPMARKET_SIGNING_KEY_SECRET", "short")
    with pytest.raises(ConfigError, match="IPMARKET_SIGNING_KEY_SECRET must be at least"):
        create_app()


def test_secret_from_a_file(app, monkeypatch, tmp_path, signing_secret):
    monkeypatch.delenv("IPMARKET_SIGNING_KEY_SECRET")
    secret_file = tmp_path / "secret"
    secret_file.write_text(signing_secret + "\n")
    monkeypatch.setenv("IPMARKET_SIGNING_KEY_SECRET_FILE", str(secret_file))
    assert create_app().extensions["licensing.keyring"] is not None
    monkeypatch.setenv("IPMARKET_SIGNING_KEY_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="IPMARKET_SIGNING_KEY_SECRET_FILE"):
        create_app()


def test_zero_setup_run_generates_a_secret_in_var(monkeypatch, tmp_path):
    """`ipmarket run` (SQLite under var/, no secret set) generates one, once."""
    for name in (
        "IPMARKET_SIGNING_KEY_SECRET",
        "IPMARKET_SIGNING_KEY_SECRET_FILE",
        "IPMARKET_LICENSING_DATABASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IPMARKET_VAR_DIR", str(tmp_path))
    upgrade("licensing")
    app = create_app()
    secret_file = tmp_path / "signing-key.secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    [key] = stored_keys(app)
    assert [k.kid for k in stored_keys(create_app())] == [key.kid]  # same secret, same key
    secret_file.unlink()
    with pytest.raises(ConfigError, match="IPMARKET_SIGNING_KEY_SECRET"):
        create_app()
