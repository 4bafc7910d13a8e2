"""The SSRF guard: which addresses webhooks may reach."""

from __future__ import annotations

import pytest

from services.notify.network_guard import check_url, refusal
from shared.errors import Invalid


@pytest.fixture
def private_refused(monkeypatch):
    monkeypatch.setenv("IPMARKET_WEBHOOK_ALLOW_PRIVATE", "false")
    monkeypatch.delenv("IPMARKET_WEBHOOK_ALLOWED_NETWORKS", raising=False)


@pytest.mark.parametrize(
    "address, kind",
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("192.168.1.20", "private"),
        ("172.16.5.4", "private"),
        ("169.254.10.10", "link-local"),
        ("169.254.169.254", "metadata"),
        ("100.100.100.200", "metadata"),
        ("::ffff:127.0.0.1", "loopback"),
        ("0.0.0.0", ""),
        ("100.64.0.1", ""),
    ],
)
def test_non_public_addresses_are_refused(private_refused, address, kind):
    reason = refusal(address)
    assert reason is not None and kind in reason


@pytest.mark.parametrize(
    "address, kind",
    [
        ("::127.0.0.1", "127.0.0.1 is a loopback"),  # IPv4-compatible
        ("64:ff9b::7f00:1", "127.0.0.1 is a loopback"),  # NAT64, well-known prefix
        ("64:ff9b:1::a00:1", "10.0.0.1 is a private"),  # NAT64, local-use prefix
        ("2002:a9fe:a9fe::1", "169.254.169.254 is a cloud metadata"),  # 6to4
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
    ],
)
def test_addresses_carrying_or_naming_no_public_host_are_refused(private_refused, address, kind):
    assert kind in (refusal(address) or "")


def test_multicast_and_reserved_are_refused_even_where_private_is_allowed(monkeypatch):
    monkeypatch.setenv("IPMARKET_WEBHOOK_ALLOW_PRIVATE", "true")
    assert "multicast" in refusal("224.0.0.1")
    assert "metadata" in refusal("64:ff9b::a9fe:a9fe")


@pytest.mark.parametrize(
    "url", ["http://[::127.0.0.1]/", "http://[64:ff9b::7f00:1]/", "http://224.0.0.1/"]
)
def test_check_url_refuses_the_embedded_and_multicast_variants(private_refused, url):
    with pytest.raises(Invalid) as error:
        check_url(url)
    assert error.value.field == "url" and "refused" in error.value.detail


def test_public_addresses_are_allowed(private_refused):
    assert refusal("64:ff9b::808:808") is None  # NAT64 to a public IPv4 host
    assert refusal("93.184.216.34") is None
    assert refusal("2606:2800:220:1:248:1893:25c8:1946") is None


def test_allow_private_permits_loopback_but_not_cloud_metadata(monkeypatch):
    monkeypatch.setenv("IPMARKET_WEBHOOK_ALLOW_PRIVATE", "true")
    assert refusal("127.0.0.1") is None and refusal("10.0.0.1") is None
    assert "metadata" in refusal("169.254.169.254")


def test_an_allowed_network_is_permitted_alone(private_refused, monkeypatch):
    monkeypatch.setenv("IPMARKET_WEBHOOK_ALLOWED_NETWORKS", "10.1.0.0/16")
    assert refusal("10.1.2.3") is None
    assert refusal("10.2.0.1") is not None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://169.254.169.254/latest",
        "http://10.0.0.1/",
        "http://localhost:8080/x",
        "http://[::1]/x",
    ],
)
def test_check_url_refuses_urls_resolving_to_non_public_addresses(private_refused, url):
    with pytest.raises(Invalid) as error:
        check_url(url)
    assert error.value.field == "url" and "refused" in error.value.detail


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "example.com/hook",
        "http:///x",
        "https://user:pw@example.com/",
        "http://no-such-host.invalid/",
    ],
)
def test_check_url_refuses_what_is_not_an_http_url_of_a_host(private_refused, url):
    with pytest.raises(Invalid) as error:
        check_url(url)
    assert error.value.field == "url"
