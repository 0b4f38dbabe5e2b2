"""Which address a request came from, trusting `X-Forwarded-For` only from configured proxies.

Anyone can send an `X-Forwarded-For` header, so it says nothing unless the socket's peer is a
proxy the operator named (`AppSettings.trusted_proxies`). With none named, the peer is the
client. Behind trusted proxies the header is read from the right, where each proxy appended
the address it saw: the first address that is not a trusted proxy is the client, and anything
to its left is whatever that client chose to send.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from salesperf.errors import InputError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def proxy_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """The trusted proxies as networks ("10.0.0.5", "10.1.0.0/16", "::1"), or an InputError
    naming the entry that is neither an address nor a network."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise InputError(
                f"{entry!r} in trusted_proxies is not an IP address or network (CIDR)"
            ) from None
    return tuple(networks)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "192.0.2.1:443"
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(text: str, proxies: Sequence[Network]) -> bool:
    ip = _ip(text)
    return ip is not None and any(ip in net for net in proxies)


def client_address(peer: str, forwarded_for: Sequence[str], proxies: Sequence[Network]) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy and forwarded the
    request; `forwarded_for` holds the `X-Forwarded-For` headers as received."""
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [h.strip() for header in forwarded_for for h in header.split(",") if h.strip()]
    client = peer
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:  # a proxy would have written an address: stop at the last one known
            return client
        client = str(ip)
        if not any(ip in net for net in proxies):
            return client
    return client
