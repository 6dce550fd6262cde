"""The visitor's IP address, for limits per address.

Behind a reverse proxy REMOTE_ADDR is the proxy's own address, the same for
every visitor. The proxy appends the address it saw to X-Forwarded-For; what
stands to the left of that, the visitor may have written. So the header is
read only when the request comes from a proxy in settings.TRUSTED_PROXIES,
and from the right: the first address that is not a trusted proxy is the
visitor.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# One home or phone connection gets a whole IPv6 /64 (often more): a visitor
# can take a new address from it for every request.
IPV6_BLOCK_PREFIX = 64


def _address(text: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        # IPv4 on a dual-stack socket: ::ffff:192.0.2.1 is 192.0.2.1.
        return address.ipv4_mapped
    return address


def _trusted_proxies() -> list[IPNetwork]:
    # Checked when the settings load (config/settings.py); an address is a /32 or /128.
    return [ipaddress.ip_network(proxy, strict=False) for proxy in settings.TRUSTED_PROXIES]


def _is_trusted(address: IPAddress, proxies: Iterable[IPNetwork]) -> bool:
    return any(address in network for network in proxies)


def client_ip(request: HttpRequest) -> str:
    """The visitor's address: REMOTE_ADDR, or behind trusted proxies the
    right-most address in X-Forwarded-For that is not one of them."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    nearest = _address(remote)
    if nearest is None:
        return remote
    proxies = _trusted_proxies()
    if not _is_trusted(nearest, proxies):
        return str(nearest)
    # Several X-Forwarded-For headers reach Django joined with commas.
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    for item in reversed(forwarded.split(",") if forwarded.strip() else []):
        address = _address(item)
        if address is None:
            # Written by a trusted proxy, yet not an address: trust nothing
            # further left, and count the request as the proxy's.
            break
        if not _is_trusted(address, proxies):
            return str(address)
        nearest = address
    return str(nearest)


def ip_block(ip: str) -> str:
    """What a limit per address counts: an IPv4 address, or the /64 of an IPv6 address."""
    address = _address(ip)
    if address is None:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/{IPV6_BLOCK_PREFIX}", strict=False))
    return str(address)
