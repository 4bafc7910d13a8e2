"""SSRF guard: webhooks only go to public addresses.

A URL is checked when it is registered (every address its host resolves to) and again on every
connection: the worker checks the address the socket actually connected to, so a DNS answer that
changes after registration (DNS rebinding) cannot point a webhook at the platform's own network.
Loopback, private, link-local and other non-global addresses are refused unless
IPMARKET_WEBHOOK_ALLOW_PRIVATE is set or IPMARKET_WEBHOOK_ALLOWED_NETWORKS lists them; cloud
metadata addresses only when listed explicitly.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from urllib3 import PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from shared import config
from shared.errors import Invalid

# Instance metadata services of AWS, GCP, Azure, Alibaba Cloud and ECS task metadata.
METADATA_ADDRESSES = {
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",
        "169.254.170.2",
        "fd00:ec2::254",
        "100.100.100.200",
        "168.63.129.16",
    )
}


class RefusedAddress(Exception):
    """The webhook's host is (or resolved to) an address webhooks may not reach."""


# IPv6 prefixes whose last 32 bits are an IPv4 address a packet ends up at: IPv4-compatible
# (deprecated, RFC 4291) and the NAT64 prefixes (RFC 6052, RFC 8215). Mapped (::ffff:0:0/96),
# 6to4 and Teredo addresses are unwrapped by the ipaddress module's own properties.
EMBEDDING_IPV4 = tuple(ipaddress.ip_network(n) for n in ("::/96", "64:ff9b::/96", "64:ff9b:1::/48"))


def _reached(ip: ipaddress.IPv4Address | ipaddress.IPv6Address):
    """The IPv4 address an IPv6 address carries to, else the address itself."""
    if isinstance(ip, ipaddress.IPv4Address):
        return ip
    embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
    if embedded is not None:
        return embedded
    if ip.is_unspecified or ip.is_loopback:  # :: and ::1 lie in ::/96 but carry no IPv4
        return ip
    if any(ip in prefix for prefix in EMBEDDING_IPV4):
        return ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF)
    return ip


def refusal(address: str) -> str | None:
    """Why webhooks may not go to `address`, or None when they may."""
    ip = _reached(ipaddress.ip_address(address.split("%")[0]))
    if any(ip in network for network in config.get("IPMARKET_WEBHOOK_ALLOWED_NETWORKS")):
        return None
    if ip in METADATA_ADDRESSES:
        return f"{ip} is a cloud metadata address"
    # Python calls some of these global (224.0.0.1 among them): a webhook is one host's, never
    # a group's or a reserved range's.
    if ip.is_multicast:
        return f"{ip} is a multicast address"
    if (ip.is_reserved or ip.is_unspecified) and not ip.is_loopback:  # ::1 lies in ::/8
        return f"{ip} is a reserved address"
    if ip.is_global or config.get("IPMARKET_WEBHOOK_ALLOW_PRIVATE"):
        return None
    kind = (
        "loopback"
        if ip.is_loopback
        else "link-local"
        if ip.is_link_local
        else "private"
        if ip.is_private
        else "not a public"
    )
    return f"{ip} is a {kind} address"


def check_url(url: str) -> None:
    """Raise Invalid(field="url") unless `url` is an http(s) URL of a host webhooks may reach."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise Invalid(f"not a URL: {exc}", field="url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("must be an absolute http:// or https:// URL", field="url")
    if parts.username or parts.password:
        raise Invalid("must not carry credentials; the signature authenticates us", field="url")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as exc:
        raise Invalid(f"host {parts.hostname!r} does not resolve: {exc}", field="url") from None
    for info in infos:
        reason = refusal(info[4][0])
        if reason:
            raise Invalid(f"refused: {parts.hostname} resolves to {reason}", field="url")


class _PeerCheck:
    """Checks the address a new connection actually reached, before anything is sent on it."""

    def _new_conn(self):
        sock = super()._new_conn()
        reason = refusal(sock.getpeername()[0])
        if reason:
            sock.close()
            raise RefusedAddress(reason)
        return sock


class _GuardedHTTPConnection(_PeerCheck, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_PeerCheck, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


def guarded_pool_manager(per_host: int = 10) -> PoolManager:
    """An urllib3 pool manager (thread-safe, keep-alive, no retries, no proxies) whose every
    connection is checked by address before a byte is sent."""
    manager = PoolManager(num_pools=1000, maxsize=per_host, block=False, retries=False)
    manager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}
    return manager
