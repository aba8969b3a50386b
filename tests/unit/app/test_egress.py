"""Which addresses the service may send webhooks to (service.egress), address by address."""

from __future__ import annotations

import ipaddress

import pytest

from service.egress import EgressPolicy, RefusedTargetError, Target, parse_networks

DEFAULT = EgressPolicy()


def _refusal(text: str, policy: EgressPolicy = DEFAULT) -> str | None:
    return policy.refusal(ipaddress.ip_address(text))


@pytest.mark.parametrize(
    "address",
    [
        "0.0.0.0",  # noqa: S104 - an address under test, nothing binds to it
        "0.1.2.3",
        "10.0.0.1",
        "100.64.0.1",
        "100.127.255.254",
        "127.0.0.1",
        "127.255.255.254",
        "169.254.169.254",
        "172.16.0.1",
        "172.31.255.255",
        "192.0.0.8",
        "192.0.2.1",
        "192.88.99.1",
        "192.168.0.1",
        "198.18.0.1",
        "198.51.100.7",
        "203.0.113.9",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "::",
        "::1",
        "::7f00:1",  # IPv4-compatible (deprecated): outside global unicast
        "::ffff:127.0.0.1",  # IPv4-mapped: the IPv4 address is what the socket reaches
        "::ffff:10.1.2.3",
        "::ffff:169.254.169.254",
        "64:ff9b::7f00:1",  # NAT64 well-known prefix carrying 127.0.0.1
        "64:ff9b:1::1",
        "100::1",
        "2001::1",  # Teredo
        "2001:db8::1",
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "3fff::1",
        "5f00::1",
        "fc00::1",
        "fd12:3456:789a::1",
        "fe80::1",
        "fe80::1%1",
        "fec0::1",
        "ff02::1",
        "4000::1",  # not allocated
    ],
)
def test_internal_and_special_addresses_are_refused(address: str) -> None:
    assert _refusal(address) is not None


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "1.1.1.1",
        "203.0.114.10",
        "100.128.0.1",
        "172.32.0.1",
        "2606:4700::1111",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:808:808::1",
    ],
)
def test_public_unicast_addresses_pass(address: str) -> None:
    assert _refusal(address) is None


def test_refusals_name_the_rule_and_the_range() -> None:
    assert _refusal("127.0.0.1") == "loopback (RFC 1122), 127.0.0.0/8"
    assert _refusal("::ffff:10.1.2.3") == "jaringan privat (RFC 1918), 10.0.0.0/8, lewat ::ffff:a01:203"
    assert _refusal("100.64.1.1") == "jaringan bersama CGNAT (RFC 6598), 100.64.0.0/10"
    assert _refusal("4000::1") == "dicadangkan (di luar unicast global 2000::/3, RFC 4291)"


def test_the_allow_list_opens_its_networks_also_through_mapped_addresses() -> None:
    policy = EgressPolicy(allow=parse_networks("10.0.0.0/8, 127.0.0.1/32 ,fd00::/8"))
    for address in ("10.9.8.7", "::ffff:10.9.8.7", "127.0.0.1", "fd00::5"):
        assert _refusal(address, policy) is None, address
    for address in ("127.0.0.2", "192.168.1.1", "fc00::1", "::1"):
        assert _refusal(address, policy) is not None, address


def test_parse_networks() -> None:
    assert parse_networks(None) == ()
    assert parse_networks("") == ()
    assert parse_networks(["10.0.0.0/8", "::1/128"]) == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
    )
    with pytest.raises(ValueError, match="intranet"):
        parse_networks("10.0.0.0/8,intranet")
    with pytest.raises(ValueError, match="host bits"):
        parse_networks("10.0.0.1/8")  # a typo for 10.0.0.0/8 or 10.0.0.1/32: say so
    with pytest.raises(TypeError):
        parse_networks(10)  # type: ignore[arg-type]


def test_a_target_resolves_once_and_keeps_the_name() -> None:
    target = EgressPolicy(allow=parse_networks("127.0.0.0/8")).target("https://LocalHost:8443/hook?x=1")
    assert target == Target(
        scheme="https", host="localhost", port=8443, addresses=(ipaddress.ip_address("127.0.0.1"),)
    )
    assert target.host_header == "localhost:8443"
    literal = EgressPolicy(allow=parse_networks("::1/128")).target("https://[::1]/hook")
    assert (literal.host, literal.port, literal.host_header) == ("::1", 443, "[::1]")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://localhost/hook", "nama host localhost menunjuk ke alamat 127.0.0.1 termasuk loopback"),
        ("https://2130706433/hook", "nama host 2130706433 menunjuk ke alamat 127.0.0.1"),
        ("https://0x7f.1/hook", "nama host 0x7f.1 menunjuk ke alamat 127.0.0.1"),
        ("https://127.0.0.1:99999/hook", "URL tidak sah"),
        ("https:///hook", "URL tidak memiliki host http(s)"),
        ("ftp://8.8.8.8/hook", "URL tidak memiliki host http(s)"),
        ("https://" + "a" * 64 + ".go.id/", "tidak sah"),
    ],
)
def test_bad_targets_are_refused_before_any_connection(url: str, message: str) -> None:
    with pytest.raises(RefusedTargetError) as error:
        DEFAULT.target(url)
    assert message in error.value.reason
    assert str(error.value).startswith("tidak dikirim: ")
    assert isinstance(error.value, OSError)  # recorded and retried like a failed connection
