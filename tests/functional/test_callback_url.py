"""``callback_url`` may not point into the network the service runs in (SSRF), checked when the
document is created: the host is resolved by the system resolver and every address it gives is
checked, so a numeric form or a name reaches no further than the literal address would.

Nothing here connects anywhere: address literals need no DNS, ``localhost`` resolves from the
machine's hosts file, and refused addresses are never contacted.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.clients import SCOPES, create_client
from service.db import get_session, upgrade_schema
from tests.conftest import load_example

ALLOW = "SKP_WEBHOOK_ALLOW_NETWORKS"


def _post(client: FlaskClient, auth: dict[str, str], url: str, key: str = "k-callback") -> Any:
    body = load_example("permenpanrb_8_2021_dokumen_penilaian")
    body["callback_url"] = url
    return client.post(
        "/api/v1/documents",
        data=json.dumps(body),
        headers={**auth, "Content-Type": "application/json", "Idempotency-Key": key},
    )


def _refusal(response: Any) -> str:
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem = response.json
    assert problem["title"] == "Unprocessable Content"
    fields = [e["field"] for e in problem["errors"]]
    assert fields == ["callback_url"], problem
    message: str = problem["errors"][0]["message"]
    # The rule is named, and so is the way out for an agency whose HR system is internal.
    assert "webhook hanya dikirim ke alamat publik" in message
    assert ALLOW in message
    return message


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("https://127.0.0.1:9/hook", "loopback (RFC 1122), 127.0.0.0/8"),
        ("https://[::1]:9/hook", "loopback (RFC 4291), ::1/128"),
        ("https://10.20.30.40/hook", "jaringan privat (RFC 1918), 10.0.0.0/8"),
        ("https://172.31.255.1/hook", "jaringan privat (RFC 1918), 172.16.0.0/12"),
        ("https://192.168.1.10/hook", "jaringan privat (RFC 1918), 192.168.0.0/16"),
        ("https://[fd12:3456::1]/hook", "jaringan privat IPv6 ULA (RFC 4193), fc00::/7"),
        ("https://169.254.169.254/latest/meta-data", "link-local (RFC 3927), 169.254.0.0/16"),
        ("https://[fe80::1]/hook", "link-local (RFC 4291), fe80::/10"),
        ("https://100.64.0.1/hook", "jaringan bersama CGNAT (RFC 6598), 100.64.0.0/10"),
        ("https://0.0.0.0/hook", "alamat tak tertentu (unspecified, RFC 1122), 0.0.0.0/8"),
        ("https://[::]/hook", "alamat tak tertentu (unspecified, RFC 4291), ::/128"),
        ("https://224.0.0.251/hook", "multicast (RFC 5771), 224.0.0.0/4"),
        ("https://[ff02::1]/hook", "multicast (RFC 4291), ff00::/8"),
        ("https://240.0.0.1/hook", "dicadangkan (RFC 1112), termasuk broadcast, 240.0.0.0/4"),
        ("https://198.18.0.1/hook", "dicadangkan untuk uji kinerja (RFC 2544), 198.18.0.0/15"),
        # IPv6 forms that reach an IPv4 address: NAT64 and 6to4 carry it inside.
        ("https://[64:ff9b::a00:1]/hook", "jaringan privat (RFC 1918), 10.0.0.0/8, lewat 64:ff9b::a00:1"),
        (
            "https://[2002:c0a8:101::1]/hook",
            "jaringan privat (RFC 1918), 192.168.0.0/16, lewat 2002:c0a8:101::1",
        ),
    ],
)
def test_internal_address_literals_are_refused_naming_the_rule(
    client: FlaskClient, auth: dict[str, str], url: str, rule: str
) -> None:
    message = _refusal(_post(client, auth, url))
    assert f"termasuk {rule};" in message


def test_names_are_resolved_and_their_addresses_checked(client: FlaskClient, auth: dict[str, str]) -> None:
    # A name the resolver maps to loopback (the hosts file) is refused like the address itself …
    message = _refusal(_post(client, auth, "https://localhost:8443/hook"))
    assert message.startswith("nama host localhost menunjuk ke alamat 127.0.0.1 termasuk loopback")
    # … and so is a numeric form that is no dotted quad, which the resolver also reads as 127.0.0.1.
    message = _refusal(_post(client, auth, "https://2130706433/hook", key="k-numeric"))
    assert "menunjuk ke alamat 127.0.0.1 termasuk loopback" in message


def test_every_bad_field_still_comes_first_then_the_address(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    # The address is checked once the payload is otherwise valid: no lookup for a request that is
    # refused anyway, and a refused callback never hides a schema error.
    body = load_example("permenpanrb_8_2021_dokumen_penilaian")
    body["callback_url"] = "https://127.0.0.1/hook"
    body["pegawai"]["nip"] = "123"
    response = client.post(
        "/api/v1/documents",
        data=json.dumps(body),
        headers={**auth, "Content-Type": "application/json", "Idempotency-Key": "k-two"},
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json["errors"]] == ["pegawai.nip"]


def test_a_public_address_is_accepted(client: FlaskClient, auth: dict[str, str]) -> None:
    # 192.0.2.0/24 is documentation-only, 203.0.114.0 is the first public /24 after it: a literal,
    # so no DNS; nothing is sent while the document is only being created.
    response = _post(client, auth, "https://203.0.114.10/skp-hook")
    assert response.status_code == 202, response.get_data(as_text=True)


def test_the_allow_list_opens_named_networks_only(app_config: dict[str, Any]) -> None:
    app: Flask = create_app({**app_config, "WEBHOOK_ALLOW_NETWORKS": "10.0.0.0/8, fd00::/8"})
    upgrade_schema(app.extensions["skp.engine"])
    try:
        with app.app_context():
            key = create_client(get_session(), "hr-internal", SCOPES).api_key
        client, auth = app.test_client(), {"Authorization": f"Bearer {key}"}
        assert _post(client, auth, "https://10.20.30.40/hook", key="a").status_code == 202
        assert _post(client, auth, "https://[fd00::5]/hook", key="b").status_code == 202
        # Whatever is not in the list stays refused.
        assert "jaringan privat (RFC 1918), 192.168.0.0/16" in _refusal(
            _post(client, auth, "https://192.168.1.10/hook", key="c")
        )
        assert "loopback" in _refusal(_post(client, auth, "https://127.0.0.1/hook", key="d"))
        assert app.extensions["skp"].settings.webhook_egress.allow == (
            ipaddress.ip_network("10.0.0.0/8"),
            ipaddress.ip_network("fd00::/8"),
        )
    finally:
        app.extensions["skp.engine"].dispose()


def test_a_bad_allow_list_stops_the_start(app_config: dict[str, Any]) -> None:
    from service.config import ConfigError

    with pytest.raises(ConfigError) as error:
        create_app({**app_config, "WEBHOOK_ALLOW_NETWORKS": "10.0.0.0/8,intranet"})
    assert "WEBHOOK_ALLOW_NETWORKS" in str(error.value)
    assert "'intranet'" in str(error.value)
