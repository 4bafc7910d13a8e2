"""Short-lived download links: `…/v1/package-files/<id>/content?org=…&by=…&expires=…&
signature=…`, an HMAC-SHA256 over the file, the organisation and person or key it was issued to
and the moment it ends, under a key derived from the deployment's signing-key secret. The link
is the credential (a script or a download manager fetches it without the API key); past
`expires` it is refused, and the license is checked again at every request (package_access)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from urllib.parse import urlencode

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shared.directory import Principal

LINK_SECONDS = 900  # long enough to start a multi-GiB download; a resume past it asks anew


class BadLink(ValueError):
    pass


class LinkSigner:
    def __init__(self, secret: bytes, seconds: int = LINK_SECONDS):
        self._key = HKDF(hashes.SHA256(), 32, None, b"ipmarket deliverables links").derive(secret)
        self.seconds = seconds

    def _signature(self, file_id: str, organisation_id: str, by: str, expires: str) -> str:
        message = "\n".join((file_id, organisation_id, by, expires)).encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def link(self, base_url: str, file_id: str, principal: Principal, now: datetime) -> tuple:
        """(URL, moment it ends) of a link to the package file for the principal."""
        expires_at = now + timedelta(seconds=self.seconds)
        actor = principal.actor
        fields = {
            "org": principal.organisation_id,
            "by": f"{actor['kind']}:{actor['id']}",
            "expires": str(int(expires_at.timestamp())),
        }
        fields["signature"] = self._signature(file_id, *fields.values())
        return f"{base_url}/v1/package-files/{file_id}/content?{urlencode(fields)}", expires_at

    def check(self, file_id: str, query: dict, now: datetime) -> Principal:
        """Who the link was issued to; BadLink unless it is ours and has not ended."""
        values = [str(query.get(name, "")) for name in ("org", "by", "expires", "signature")]
        org, by, expires, signature = values
        expected = self._signature(file_id, org, by, expires).encode()
        if not hmac.compare_digest(expected, signature.encode()):  # (bytes: any text compares)
            raise BadLink("this link is not one the service issued")
        if now.timestamp() >= int(expires):
            raise BadLink("this link has expired: ask for the package again for a new one")
        kind, _, who = by.partition(":")
        if kind == "person":
            return Principal(org, frozenset({"licensee"}), person_id=who)
        return Principal(org, frozenset({"licensee"}), key_id=who)
