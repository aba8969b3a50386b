"""The signing page asks each official for what their provider needs, and says what the provider says."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from service.composition import get_services
from service.db import get_session
from service.workflow.links import token_for
from service.workflow.signing_ops import sign_document
from tests.functional.support import PROVIDERS, document, kode_for, ready_with_providers
from tests.outside.bsre_server import BsreContractServer
from tests.outside.pki import PEOPLE
from tests.outside.servers import OutsideServers

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ATASAN_NIK = PEOPLE["atasan_pejabat_penilai"].nik


def _ready_for(app: Flask, urutan: int) -> tuple[str, str]:
    """A document whose signers before ``urutan`` have signed; its id and the link token of ``urutan``."""
    document_id = ready_with_providers(app, PROVIDERS)
    secrets = {1: {"passphrase": "frasa-sandi-pegawai"}, 2: {"pin": "123456"}}
    for before in range(1, urutan):
        with app.app_context():
            doc = document(app, document_id)
            secret = dict(secrets[before])
            sign_document(
                get_session(),
                get_services(),
                doc,
                urutan=before,
                passphrase=secret.pop("passphrase", ""),
                actor="test",
                ip="127.0.0.1",
                kode=kode_for(get_session(), get_services(), doc, before),
                **secret,
            )
    with app.app_context():
        token = token_for(document(app, document_id).signers[urutan - 1], secret=app.config["SECRET_KEY"])
    assert token is not None
    return document_id, token


def _page(client: FlaskClient, token: str) -> tuple[str, str]:
    response = client.get(f"/sign/{token}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    found = CSRF.search(html)
    assert found
    return html, found.group(1)


def _post(client: FlaskClient, token: str, **form: str) -> tuple[int, str]:
    _html, csrf = _page(client, token)
    response = client.post(f"/sign/{token}", data={"csrf_token": csrf, **form})
    return response.status_code, response.get_data(as_text=True)


def test_a_csc_official_is_asked_for_the_pin_and_nothing_to_enroll(
    provider_app: Flask, outside: OutsideServers
) -> None:
    document_id, token = _ready_for(provider_app, 2)
    client = provider_app.test_client()
    html, _csrf = _page(client, token)
    assert 'data-penyedia="csc"' in html
    assert 'name="pin"' in html
    assert 'name="otp"' in html
    assert 'name="kode_verifikasi"' not in html
    assert 'name="passphrase_konfirmasi"' not in html
    status, html = _post(client, token, keputusan="tandatangani", pin="999999")
    assert status == 422
    assert "PIN" in html
    assert "4 kali lagi" in html
    status, html = _post(client, token, keputusan="tandatangani", pin=outside.csc_pin("tsp/pejabat_penilai"))
    assert status == 200, html
    with provider_app.app_context():
        assert document(provider_app, document_id).signers[1].status == "signed"


def test_a_bsre_official_sees_the_bsre_status_before_typing_and_cannot_sign_when_expired(
    provider_app: Flask, bsre: BsreContractServer
) -> None:
    _document_id, token = _ready_for(provider_app, 3)
    bsre.assign_certificate(ATASAN_NIK, "atasan_pejabat_penilai", status="EXPIRED")
    client = provider_app.test_client()
    html, _csrf = _page(client, token)
    assert 'data-penyedia="bsre"' in html
    assert 'id="status-penyedia"' in html
    assert "kedaluwarsa" in html.lower()
    assert 'id="tombol-tandatangani"' not in html
    assert 'id="tombol-tolak"' in html  # refusing needs no certificate
    status, html = _post(client, token, keputusan="tandatangani", passphrase="rahasia-atasan_pejabat_penilai")
    assert status == 422
    assert not [r for r in bsre.requests if r.path == "/api/v2/sign/pdf"]


def test_a_bsre_official_signs_with_a_totp_sent_to_besign_mobile(
    provider_app: Flask, bsre: BsreContractServer
) -> None:
    document_id, token = _ready_for(provider_app, 3)
    client = provider_app.test_client()
    html, _csrf = _page(client, token)
    assert 'name="passphrase"' in html
    assert 'name="totp"' in html
    assert 'id="status-penyedia"' not in html  # ISSUE: nothing to warn about
    status, html = _post(client, token, keputusan="kirim_totp")
    assert status == 422
    assert "BeSign Mobile" in html
    status, html = _post(client, token, keputusan="tandatangani", totp=bsre.last_totp(ATASAN_NIK))
    assert status == 200, html
    with provider_app.app_context():
        assert document(provider_app, document_id).status == "completed"


def test_bsre_not_answering_shows_the_form_again_with_503_and_the_link_still_signs(
    provider_app: Flask, bsre: BsreContractServer
) -> None:
    document_id, token = _ready_for(provider_app, 3)
    client = provider_app.test_client()
    bsre.delay_seconds = 5.0
    status, html = _post(client, token, keputusan="tandatangani", passphrase="rahasia-atasan_pejabat_penilai")
    assert status == 503
    assert 'id="tombol-tandatangani"' in html
    assert "coba lagi" in html
    bsre.reset()
    status, html = _post(client, token, keputusan="tandatangani", passphrase="rahasia-atasan_pejabat_penilai")
    assert status == 200, html
    with provider_app.app_context():
        assert document(provider_app, document_id).status == "completed"
