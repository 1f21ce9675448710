"""Where a webhook may go: a public address, checked when the endpoint is saved and again
at every send (a name can resolve elsewhere by then: DNS rebinding).

The check returns the address it approved, and the sender connects to that very address
(app.events.sending), so no second lookup can swap it between the check and the connection.
WEBHOOKS_ALLOW_PRIVATE lets a deployment send to its own network (and the tests to
127.0.0.1).
"""

from __future__ import annotations

import concurrent.futures
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app

MAX_URL = 2000
LOOKUP_TIMEOUT = 2.0  # seconds a name may take to resolve, when saved and at each send
# Lookups run here so a hung resolver cannot hold a request; a few at once, shared by threads.
_lookups = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="webhook-dns")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(ValueError):
    """The URL is malformed, cannot be resolved, or leads somewhere webhooks may not go."""


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (the approved address) and what to call it (the
    Host header and, for https, TLS's server name and certificate check)."""

    scheme: str
    host: str  # as written (IDNA-encoded), brackets removed from an IPv6 literal
    port: int
    path: str  # with its query
    address: str  # the approved IP to connect to

    @property
    def host_header(self) -> str:
        name = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return name if self.port == default else f"{name}:{self.port}"


@dataclass(frozen=True)
class Parsed:
    scheme: str
    host: str
    port: int
    path: str


def parse(url: object) -> Parsed:
    """The URL's parts, or AddressRefused saying what is wrong with it."""
    if not isinstance(url, str) or not url.strip():
        raise AddressRefused("Enter the URL that should receive the events.")
    text = url.strip()
    if len(text) > MAX_URL:
        raise AddressRefused(f"A URL is at most {MAX_URL} characters.")
    if any(ord(c) < 33 or ord(c) == 127 for c in text):
        raise AddressRefused("A URL has no spaces or control characters.")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise AddressRefused(
            "That is not a URL: write it like https://example.com/hooks."
        ) from None
    if parts.scheme not in ("http", "https"):
        raise AddressRefused("The URL must start with https:// (or http://).")
    if parts.username is not None or parts.password is not None:
        raise AddressRefused(
            "Put no user name or password in the URL: the signature proves who sent it."
        )
    if parts.fragment:
        raise AddressRefused("A URL sent to has no #fragment.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise AddressRefused("The URL needs a host name, like https://example.com/hooks.")
    try:
        host = host.encode("idna").decode("ascii") if not _literal(host) else host
    except UnicodeError:
        raise AddressRefused("The URL's host name is not a valid domain name.") from None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Parsed(parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path)


def check(url: object) -> Target:
    """Parse, resolve and approve the URL now; AddressRefused with the reason otherwise."""
    parsed = parse(url)
    address = approved_address(parsed.host, parsed.port)
    return Target(parsed.scheme, parsed.host, parsed.port, parsed.path, address)


def approved_address(host: str, port: int) -> str:
    """The address to connect to: every address the name has must be allowed (a name with
    one public and one private address could be made to pick either)."""
    addresses = [ipaddress.ip_address(host)] if _literal(host) else _resolve(host, port)
    if not current_app.config["WEBHOOKS_ALLOW_PRIVATE"]:
        for address in addresses:
            if (kind := refused_kind(address)) is not None:
                shown = host if _literal(host) else f"{host} resolves to {address}, which"
                article = "an" if kind[0] in "aeiou" else "a"
                raise AddressRefused(
                    f"{shown} is {article} {kind} address: "
                    "webhooks go only to public internet addresses."
                )
    return str(addresses[0])


def refused_kind(address: IPAddress) -> str | None:
    """Why an address is not public (None: it is), in words."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_unspecified:
        return "unspecified"
    if address.is_multicast:
        return "multicast"
    if address.is_private:
        return "private"
    if address.is_reserved or not address.is_global:
        return "reserved"
    return None


def resolver(host: str, port: int) -> list[tuple]:
    """The system's resolver (a module attribute, so tests can stand in a hostile DNS)."""
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def _resolve(host: str, port: int) -> list[IPAddress]:
    # getaddrinfo takes no timeout, and with no network a lookup can wait out every retry of
    # every nameserver: a worker thread answers within LOOKUP_TIMEOUT, or the name is refused.
    lookup = _lookups.submit(resolver, host, port)
    try:
        found = lookup.result(timeout=LOOKUP_TIMEOUT)
    except concurrent.futures.TimeoutError:
        lookup.cancel()
        raise AddressRefused(
            f"{host} did not resolve within {LOOKUP_TIMEOUT:g} seconds: try again."
        ) from None
    except (OSError, UnicodeError):
        raise AddressRefused(f"{host} does not resolve to an address.") from None
    addresses = []
    for _family, _type, _proto, _name, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise AddressRefused(f"{host} does not resolve to an address.")
    return addresses


def _literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
