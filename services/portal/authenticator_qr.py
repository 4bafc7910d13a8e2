"""The QR code of an authenticator app's otpauth:// URI, drawn here on the server as SVG.

segno rather than a script in the browser: the secret never leaves the page for a third-party
library or service, the page works without JavaScript, and segno is pure Python with no
dependencies of its own (no Pillow), writing SVG directly. The SVG goes in the page as a data:
URI (the CSP allows img-src data:), so the secret is in no URL that a log could keep."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import segno


def qr_data_uri(otpauth_uri: str) -> str:
    return segno.make(otpauth_uri, error="m").svg_data_uri(scale=5, border=4)


def secret_of(otpauth_uri: str) -> str:
    """The secret in groups of four, for typing into an app that cannot scan."""
    secret = parse_qs(urlsplit(otpauth_uri).query).get("secret", [""])[0]
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
