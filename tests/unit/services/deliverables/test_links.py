"""Short-lived links: ours for the file, the organisation and the holder named in them, until
they end; anything altered, or too late, is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from services.deliverables.links import BadLink, LinkSigner
from shared.directory import Principal

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
SIGNER = LinkSigner(b"a deployment secret of some length")


def issued(principal=None):
    principal = principal or Principal("org-1", frozenset({"licensee"}), key_id="key-1")
    url, ends = SIGNER.link("http://d.test", "file-1", principal, NOW)
    parts = urlsplit(url)
    assert parts.path == "/v1/package-files/file-1/content"
    return dict(parse_qsl(parts.query)), ends


def test_a_link_names_who_it_was_issued_to_until_it_ends():
    query, ends = issued()
    assert ends == NOW + timedelta(seconds=SIGNER.seconds)
    holder = SIGNER.check("file-1", query, NOW + timedelta(seconds=SIGNER.seconds - 1))
    assert (holder.organisation_id, holder.key_id) == ("org-1", "key-1")
    person = issued(Principal("org-1", frozenset({"licensee"}), person_id="p-1"))[0]
    assert SIGNER.check("file-1", person, NOW).person_id == "p-1"


def test_a_link_past_its_end_is_refused():
    query, ends = issued()
    with pytest.raises(BadLink, match="expired"):
        SIGNER.check("file-1", query, ends)


@pytest.mark.parametrize(
    "change",
    [
        {"org": "org-2"},
        {"by": "key:key-2"},
        {"expires": "9999999999"},
        {"signature": "0" * 64},
    ],
)
def test_an_altered_link_is_refused(change):
    query, _ = issued()
    with pytest.raises(BadLink, match="not one the service issued"):
        SIGNER.check("file-1", {**query, **change}, NOW)
    with pytest.raises(BadLink):
        SIGNER.check("file-2", query, NOW)  # another file's
    with pytest.raises(BadLink):
        LinkSigner(b"another deployment's secret!!").check("file-1", query, NOW)


def test_a_signature_of_any_text_is_refused_not_an_error():
    query, _ = issued()
    with pytest.raises(BadLink):
        SIGNER.check("file-1", {**query, "signature": "ð–‚¾", "org": "\x95"}, NOW)
