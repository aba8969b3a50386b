"""Where the service may send requests of its own: public unicast addresses, unless the instance
allows a network.

A ``callback_url`` is the client's, so it must not turn the service into a proxy into the network it
runs in (cloud metadata at 169.254.169.254, the database, an admin port on 127.0.0.1). The check is
of the *resolved* addresses, not of the text of the URL: ``https://2130706433/`` and a name whose DNS
record says ``10.0.0.5`` reach an internal host as surely as ``https://127.0.0.1/``. It runs when a
payload is accepted and again before every delivery, and the delivery connects to the address it
checked (:mod:`service.outbound`), so a DNS answer that changes in between cannot slip past.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = [
    "ALLOW_SETTING",
    "EgressPolicy",
    "IPAddress",
    "IPNetwork",
    "RefusedTargetError",
    "Target",
    "parse_networks",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: The environment variable an operator sets to allow internal networks (named in every refusal).
ALLOW_SETTING = "SKP_WEBHOOK_ALLOW_NETWORKS"


def _table(*rows: tuple[str, str]) -> tuple[tuple[IPNetwork, str], ...]:
    return tuple((ipaddress.ip_network(net), rule) for net, rule in rows)


#: Special-purpose ranges (IANA registries, RFC 6890) a webhook never goes to; the first that
#: contains an address names the rule in the refusal.
REFUSED: tuple[tuple[IPNetwork, str], ...] = _table(
    ("0.0.0.0/8", "alamat tak tertentu (unspecified, RFC 1122)"),
    ("10.0.0.0/8", "jaringan privat (RFC 1918)"),
    ("100.64.0.0/10", "jaringan bersama CGNAT (RFC 6598)"),
    ("127.0.0.0/8", "loopback (RFC 1122)"),
    ("169.254.0.0/16", "link-local (RFC 3927)"),
    ("172.16.0.0/12", "jaringan privat (RFC 1918)"),
    ("192.0.0.0/24", "dicadangkan untuk protokol IETF (RFC 6890)"),
    ("192.0.2.0/24", "dicadangkan untuk dokumentasi (RFC 5737)"),
    ("192.88.99.0/24", "dicadangkan, bekas relay 6to4 (RFC 7526)"),
    ("192.168.0.0/16", "jaringan privat (RFC 1918)"),
    ("198.18.0.0/15", "dicadangkan untuk uji kinerja (RFC 2544)"),
    ("198.51.100.0/24", "dicadangkan untuk dokumentasi (RFC 5737)"),
    ("203.0.113.0/24", "dicadangkan untuk dokumentasi (RFC 5737)"),
    ("224.0.0.0/4", "multicast (RFC 5771)"),
    ("240.0.0.0/4", "dicadangkan (RFC 1112), termasuk broadcast"),
    ("::/128", "alamat tak tertentu (unspecified, RFC 4291)"),
    ("::1/128", "loopback (RFC 4291)"),
    ("64:ff9b:1::/48", "jaringan privat NAT64 (RFC 8215)"),
    ("100::/64", "dicadangkan, discard-only (RFC 6666)"),
    ("2001::/23", "dicadangkan untuk protokol IETF (RFC 2928), termasuk Teredo"),
    ("2001:db8::/32", "dicadangkan untuk dokumentasi (RFC 3849)"),
    ("3fff::/20", "dicadangkan untuk dokumentasi (RFC 9637)"),
    ("5f00::/16", "dicadangkan untuk SRv6 SID (RFC 9602)"),
    ("fc00::/7", "jaringan privat IPv6 ULA (RFC 4193)"),
    ("fe80::/10", "link-local (RFC 4291)"),
    ("fec0::/10", "site-local, usang (RFC 3879)"),
    ("ff00::/8", "multicast (RFC 4291)"),
)
#: IPv6 outside the global unicast range is not allocated at all.
_GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class RefusedTargetError(OSError):
    """A URL the service will not send to; :attr:`reason` says why, in Indonesian.

    An ``OSError``, so that a delivery refused at the last moment is recorded and retried like one
    that could not connect.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"tidak dikirim: {reason}")

    def __str__(self) -> str:
        return f"tidak dikirim: {self.reason}"


@dataclass(frozen=True)
class Target:
    """A checked destination: the name to present (SNI, ``Host``, certificate) and the addresses."""

    scheme: str
    #: ASCII (IDNA) host name, or the IP address of an address literal, without brackets.
    host: str
    port: int
    #: Every address the name resolved to, each one allowed, in the resolver's order.
    addresses: tuple[IPAddress, ...]

    @property
    def host_header(self) -> str:
        """The ``Host`` header: the host, bracketed when IPv6, with the port unless the default."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = {"https": 443, "http": 80}.get(self.scheme)
        return host if self.port == default else f"{host}:{self.port}"


def parse_networks(value: str | Iterable[str] | None) -> tuple[IPNetwork, ...]:
    """Networks from ``"10.0.0.0/8, fd00::/8"`` or a list of such strings; ``ValueError`` names a bad one."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    networks = []
    for item in items:
        text = str(item).strip()
        if text:
            networks.append(ipaddress.ip_network(text))
    return tuple(networks)


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one reaches: IPv4-mapped, NAT64 (well-known prefix) or 6to4."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


@dataclass(frozen=True)
class EgressPolicy:
    """Public unicast addresses only, plus the networks an operator allows (``allow``)."""

    allow: tuple[IPNetwork, ...] = ()

    def refusal(self, address: IPAddress) -> str | None:
        """Why ``address`` is refused (the rule and its range), or ``None`` when it is allowed."""
        if any(address in network for network in self.allow):
            return None
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            reason = self.refusal(embedded)
            return None if reason is None else f"{reason}, lewat {address}"
        for network, rule in REFUSED:
            if address in network:
                return f"{rule}, {network}"
        if isinstance(address, ipaddress.IPv6Address) and address not in _GLOBAL_UNICAST_V6:
            return f"dicadangkan (di luar unicast global {_GLOBAL_UNICAST_V6}, RFC 4291)"
        return None

    def target(self, url: str) -> Target:
        """Resolve ``url``'s host once and check every address it gives.

        :raises RefusedTargetError: the URL has no usable host, the name does not resolve, or one
            of its addresses is refused.
        """
        try:
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            port = parts.port or {"https": 443, "http": 80}.get(scheme)
            host = parts.hostname
        except ValueError:
            raise RefusedTargetError("URL tidak sah") from None
        if not host or port is None:
            raise RefusedTargetError("URL tidak memiliki host http(s)")
        host = _ascii_host(host)
        addresses = _resolve(host, port)
        for address in addresses:
            reason = self.refusal(address)
            if reason is not None:
                shown = "alamat" if str(address) == host else f"nama host {host} menunjuk ke alamat"
                raise RefusedTargetError(
                    f"{shown} {address} termasuk {reason}; webhook hanya dikirim ke alamat publik, "
                    f"kecuali jaringan yang diizinkan {ALLOW_SETTING}"
                )
        return Target(scheme=scheme, host=host, port=port, addresses=addresses)


def _ascii_host(host: str) -> str:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return host
    try:
        return host.encode("idna").decode("ascii").rstrip(".")
    except UnicodeError:
        raise RefusedTargetError(f"nama host {host!r} tidak sah") from None


def _resolve(host: str, port: int) -> tuple[IPAddress, ...]:
    """The addresses the system resolver gives for ``host`` (no DNS for an address literal)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise RefusedTargetError(f"nama host {host} tidak dapat di-resolve ({error})") from None
    found: dict[IPAddress, None] = {}
    for info in infos:
        address = info[4][0]
        if isinstance(address, str):  # an AF_INET or AF_INET6 sockaddr (never AF_UNIX for a host)
            found[ipaddress.ip_address(address)] = None
    if not found:
        raise RefusedTargetError(f"nama host {host} tidak memiliki alamat IP")
    return tuple(found)
