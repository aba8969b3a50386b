"""Attacks on the pages and the API, each refused with the right status (and audited where it belongs)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service import create_app
from service.db import get_session, upgrade_schema
from service.models import AuditEvent
from service.settings import PublicUrls
from service.users import create_user
from service.workflow.links import issue_link, token_for
from service.workflow.representation import document_dict
from tests.conftest import load_example
from tests.functional.browser import live_server
from tests.functional.support import document, kode_for_link, ready_document

PASS = "frasa-sandi-pegawai"
ARSIP_PASSWORD = "kata-sandi-arsip-yang-panjang"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
INJECTIONS = (
    "' OR 1=1 --",
    '" OR ""="',
    "1; DROP TABLE documents; --",
    "{{7*7}}",
    "${7*7}",
    "{% print(7*7) %}",
    "<script>alert(1)</script>",
    "%",
    "_",
)


def _token(app: Flask, document_id: str, urutan: int = 1) -> str:
    with app.app_context():
        signer = document(app, document_id).signers[urutan - 1]
        token = token_for(signer, secret=app.config["SECRET_KEY"])
    assert token is not None
    return token


def _csrf(client: FlaskClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    match = CSRF.search(page.text)
    assert match is not None
    return match.group(1)


def _events(app: Flask, document_id: str, event: str) -> list[AuditEvent]:
    with app.app_context():
        return list(
            get_session().scalars(
                select(AuditEvent).where(AuditEvent.document_id == document_id, AuditEvent.event == event)
            )
        )


def _first_use(app: Flask, client: FlaskClient, path: str, passphrase: str = PASS) -> Any:
    csrf = _csrf(client, path)
    return client.post(
        path,
        data={
            "csrf_token": csrf,
            "keputusan": "tandatangani",
            "kode_verifikasi": kode_for_link(app, path),
            "passphrase": passphrase,
            "passphrase_konfirmasi": passphrase,
        },
    )


# -- signing links ----------------------------------------------------------------------------------


def test_replayed_token_is_gone(app: Flask, client: FlaskClient) -> None:
    document_id = ready_document(app)
    path = f"/sign/{_token(app, document_id)}"
    csrf = _csrf(client, path)
    form = {
        "csrf_token": csrf,
        "keputusan": "tandatangani",
        "kode_verifikasi": kode_for_link(app, path),
        "passphrase": PASS,
        "passphrase_konfirmasi": PASS,
    }
    assert client.post(path, data=form).status_code == 200
    replay = client.post(path, data=form)
    assert replay.status_code == 410
    assert "sudah digunakan" in replay.text
    assert client.get(path).status_code == 410
    assert client.get(f"{path}/dokumen.pdf").status_code == 410
    with app.app_context():
        assert document(app, document_id).current_revision == 2  # one signature, not two
    assert len(_events(app, document_id, "signed")) == 1


def test_token_of_another_document_or_forged_is_refused(app: Flask, client: FlaskClient) -> None:
    first = ready_document(app)
    second = ready_document(app, idempotency_key="k-2")
    token_a, token_b = _token(app, first), _token(app, second)
    id_a, mac_a = token_a.split(".")
    id_b, mac_b = token_b.split(".")
    assert id_a != id_b
    forged = [
        f"{id_b}.{mac_a}",  # the other document's signer with this one's MAC
        f"{id_a}.{mac_b}",
        f"{id_a}.{'A' * 43}",  # a MAC of the right shape that the server key did not make
        f"{id_a}.{mac_a[:-1]}{'B' if mac_a[-1] != 'B' else 'C'}",
    ]
    for token in forged:
        for path in (f"/sign/{token}", f"/sign/{token}/dokumen.pdf"):
            response = client.get(path)
            # Exactly what an unknown id answers: probing must not tell which ids exist.
            assert response.status_code == 404, (path, response.status_code)
            assert b"%PDF" not in response.data
        csrf = _csrf(client, f"/sign/{token_a}")
        post = client.post(
            f"/sign/{token}", data={"csrf_token": csrf, "keputusan": "tolak", "alasan": "coba-coba"}
        )
        assert post.status_code == 404
    for token in (
        "999999.AAAA",
        "999999." + "A" * 43,
        "abc",
        "1",
        "1." + "A" * 44,
        f"000{token_a}",
        f"0{token_a}",
        # The same id in Arabic-Indic digits: int() reads it, the service must not.
        "".join(chr(0x0660 + int(d)) for d in id_a) + f".{mac_a}",
    ):
        assert client.get(f"/sign/{token}").status_code == 404, token
    # A token made with another server key is worth nothing here.
    with app.app_context():
        signer = document(app, first).signers[0]
        other_key = token_for(signer, secret="x" * 40)
    assert client.get(f"/sign/{other_key}").status_code == 404
    for document_id in (first, second):
        with app.app_context():
            doc = document(app, document_id)
            assert doc.status == "awaiting_signature"
            assert doc.signers[0].status == "pending"
        # Only the genuine GET of the first document was recorded as an opened link.
    assert len(_events(app, first, "link_opened")) == len(forged)
    assert _events(app, second, "link_opened") == []


def test_csrf_missing_or_wrong_is_400_on_signing_form(app: Flask, client: FlaskClient) -> None:
    document_id = ready_document(app)
    path = f"/sign/{_token(app, document_id)}"
    csrf = _csrf(client, path)
    form = {"keputusan": "tolak", "alasan": "tidak sesuai"}
    assert client.post(path, data=form).status_code == 400
    assert client.post(path, data={**form, "csrf_token": ""}).status_code == 400
    wrong = client.post(path, data={**form, "csrf_token": csrf[:-2] + "xx"})
    assert wrong.status_code == 400
    assert "CSRF" in wrong.text
    # A token from another browser session is no good either.
    other = app.test_client()
    assert other.post(path, data={**form, "csrf_token": csrf}).status_code == 400
    with app.app_context():
        doc = document(app, document_id)
        assert doc.status == "awaiting_signature"
        assert doc.signers[0].status == "pending"
    assert _events(app, document_id, "rejected") == []
    # With the right token the same form goes through.
    assert client.post(path, data={**form, "csrf_token": csrf}).status_code == 200


def test_csrf_missing_or_wrong_is_400_on_login_and_logout(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        create_user(get_session(), "arsip1", ARSIP_PASSWORD, role="arsiparis")
    form = {"username": "arsip1", "password": ARSIP_PASSWORD}
    assert client.post("/arsip/login", data=form).status_code == 400
    csrf = _csrf(client, "/arsip/login")
    assert client.post("/arsip/login", data={**form, "csrf_token": "nope"}).status_code == 400
    assert client.get("/arsip/", follow_redirects=False).status_code == 302  # still logged out
    ok = client.post("/arsip/login", data={**form, "csrf_token": csrf})
    assert ok.status_code == 302
    assert client.get("/arsip/").status_code == 200
    assert client.post("/arsip/logout").status_code == 400
    assert client.get("/arsip/").status_code == 200  # logout without a token did nothing


def test_brute_forced_passphrase_locks_after_five(app: Flask, client: FlaskClient) -> None:
    first = ready_document(app)
    assert _first_use(app, client, f"/sign/{_token(app, first)}").status_code == 200
    second = ready_document(app, idempotency_key="k-2")
    path = f"/sign/{_token(app, second)}"
    csrf = _csrf(client, path)
    for attempt in range(1, 6):
        response = client.post(
            path,
            data={"csrf_token": csrf, "keputusan": "tandatangani", "passphrase": f"tebakan-ke-{attempt}"},
        )
        assert response.status_code == 422
        assert "Frasa sandi salah" in response.text
    locked = client.post(path, data={"csrf_token": csrf, "keputusan": "tandatangani", "passphrase": PASS})
    assert locked.status_code == 423
    assert "terkunci" in locked.text
    failed = _events(app, second, "sign_failed")
    assert [e.data_json for e in failed] == [
        f'{{"failed_attempts": {n}, "penyedia": "instansi", "urutan": 1}}' for n in range(1, 6)
    ]
    assert {e.ip for e in failed} == {"127.0.0.1"}
    with app.app_context():
        doc = document(app, second)
        assert doc.current_revision == 1
        assert doc.signers[0].status == "pending"
        assert doc.signers[0].failed_attempts == 5


# -- injection ------------------------------------------------------------------------------------


def _login(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        create_user(get_session(), "arsip1", ARSIP_PASSWORD, role="arsiparis")
    csrf = _csrf(client, "/arsip/login")
    response = client.post(
        "/arsip/login", data={"username": "arsip1", "password": ARSIP_PASSWORD, "csrf_token": csrf}
    )
    assert response.status_code == 302


def test_injection_in_search_changes_nothing_and_is_not_evaluated(
    app: Flask, client: FlaskClient, auth: dict[str, str]
) -> None:
    document_id = ready_document(app)
    _login(app, client)
    everything = client.get("/arsip/?status=awaiting_signature")
    assert document_id in everything.text
    for text in INJECTIONS:
        for field in ("nama", "unit_kerja", "nip", "periode"):
            page = client.get("/arsip/", query_string={field: text})
            # Free text is searched for literally; a malformed NIP or year is refused, never dropped.
            assert page.status_code == (200 if field in ("nama", "unit_kerja") else 422), (field, text)
            assert document_id not in page.text, (field, text)
            if page.status_code == 200:
                assert "Tidak ada dokumen yang cocok." in page.text
            else:
                assert 'class="galat"' in page.text
            assert "<script>alert(1)</script>" not in page.text
            if text == "{{7*7}}":
                assert f'id="{field}" name="{field}" value="{{{{7*7}}}}"' in page.text
        for field in ("q", "nama", "unit_kerja"):
            api = client.get("/api/v1/documents", query_string={field: text}, headers=auth)
            assert api.status_code == 200, (field, text, api.text)
            assert api.json == {"items": [], "next_cursor": None}
        refused = client.get("/api/v1/documents", query_string={"nip": text}, headers=auth)
        assert refused.status_code == 422
        assert refused.json is not None
        assert refused.json["errors"][0]["field"] == "nip"
    # The table is still there and the document still found by its real values.
    found = client.get("/api/v1/documents", query_string={"status": "awaiting_signature"}, headers=auth)
    assert [d["id"] for d in found.json["items"]] == [document_id]


def test_injection_in_payload_text_is_stored_verbatim_and_rendered_inert(
    app: Flask, client: FlaskClient
) -> None:
    pegawai = load_example("permenpanrb_8_2021_dokumen_penilaian")["pegawai"]
    nama = "Budi {{7*7}} ${7*7} <script>alert(1)</script>' OR 1=1 --"
    document_id = ready_document(
        app,
        changes={
            "pegawai": {**pegawai, "nama": nama},
            "instansi": "{{ config.SECRET_KEY }} {% print(7*7) %}",
        },
    )
    with app.app_context():
        doc = document(app, document_id)
        assert doc.pegawai_nama == nama
        assert doc.signers[0].nama == nama
    secret = app.config["SECRET_KEY"]
    path = f"/sign/{_token(app, document_id)}"
    signing = client.get(path).text
    _login(app, client)
    archive_page = client.get(f"/arsip/dokumen/{document_id}").text
    found = client.get("/arsip/", query_string={"nama": "{{7*7}}"}).text
    with app.app_context():
        code = document(app, document_id).verification_code
    public = client.get(f"/v/{code}").text
    for html in (signing, archive_page, found, public):
        assert "Budi {{7*7}} ${7*7} &lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script>" not in html
        assert "Budi 49" not in html
        assert secret not in html
    assert "{{ config.SECRET_KEY }} {% print(7*7) %}" in signing
    assert document_id in found  # the literal text is searched for, not interpreted

    # A reason given when refusing is data too.
    alasan = "{{7*7}} <img src=x onerror=alert(1)>"
    csrf = _csrf(client, path)
    assert (
        client.post(path, data={"csrf_token": csrf, "keputusan": "tolak", "alasan": alasan}).status_code
        == 200
    )
    shown = client.get(f"/arsip/dokumen/{document_id}").text
    assert "{{7*7}} &lt;img src=x onerror=alert(1)&gt;" in shown
    assert "<img" not in shown


# -- path traversal ---------------------------------------------------------------------------------


def test_path_traversal_in_revision_and_download_parameters_is_refused(
    app: Flask, client: FlaskClient, auth: dict[str, str]
) -> None:
    document_id = ready_document(app)
    base = f"/api/v1/documents/{document_id}/pdf"
    for value in ("../../x", "..%2F..%2Fx", "/etc/passwd", "1/../0", "-1", "0x1", "1e3", " 1"):
        response = client.get(base, query_string={"revision": value}, headers=auth)
        assert response.status_code == 422, (value, response.status_code)
        assert response.mimetype == "application/problem+json"
    assert client.get(base, query_string={"revision": "7"}, headers=auth).status_code == 404
    assert client.get(base, query_string={"revision": "1"}, headers=auth).status_code == 200
    assert client.get(f"/api/v1/documents/..%2F..%2F{document_id}/pdf", headers=auth).status_code == 404

    _login(app, client)
    for path in (
        "/arsip/dokumen/../..",
        "/arsip/dokumen/..",
        "/arsip/dokumen/..%2F..%2Fetc%2Fpasswd",
        "/arsip/dokumen/%2E%2E",
        f"/arsip/dokumen/{document_id}/revisi/..%2F..%2Fpki%2Fissuing-ca.key.pdf",
        f"/arsip/dokumen/{document_id}/revisi/-1.pdf",
        f"/arsip/dokumen/{document_id}/revisi/9.pdf",
        f"/arsip/dokumen/..%2F{document_id}/revisi/1.pdf",
        "/sign/..%2F..%2Fetc%2Fpasswd",
        "/pki/..%2Fissuing-ca.key",
        "/pki/issuing-ca.key",
        "/v/..%2F..%2Fetc%2Fpasswd",
    ):
        response = client.get(path)
        assert response.status_code == 404, (path, response.status_code)
        assert b"PRIVATE KEY" not in response.data
        assert b"root:" not in response.data
    downloads = _events(app, document_id, "downloaded")
    assert [e.actor for e in downloads] == ["client:test-hr"]  # only the one real download
    ok = client.get(f"/arsip/dokumen/{document_id}/revisi/1.pdf")
    assert ok.status_code == 200
    assert ok.data.startswith(b"%PDF-")


# -- headers, cookies, logs ---------------------------------------------------------------------------


def test_security_headers_on_every_page(app: Flask, client: FlaskClient) -> None:
    document_id = ready_document(app)
    with app.app_context():
        code = document(app, document_id).verification_code
    pages = [
        f"/sign/{_token(app, document_id)}",
        "/arsip/login",
        f"/v/{code}",
        "/sign/1.x",
        "/v/tidak-ada",
        "/arsip/dokumen/x",
    ]
    for path in pages:
        response = client.get(path, follow_redirects=True)
        assert response.mimetype == "text/html", path
        csp = response.headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["frame-ancestors"] == "'none'", path
        assert directives["default-src"] == "'none'"
        assert "'unsafe-inline'" not in directives.get("script-src", "")
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"
    pdf = client.get(f"/sign/{_token(app, document_id)}/dokumen.pdf")
    assert pdf.headers["X-Content-Type-Options"] == "nosniff"
    assert pdf.headers["Referrer-Policy"] == "no-referrer"


def test_session_cookie_is_httponly_samesite_and_secure_behind_https(
    app: Flask, client: FlaskClient, app_config: dict[str, Any]
) -> None:
    client.get("/arsip/login")
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert not cookie.secure  # plain http in tests, so a Secure cookie would never come back

    https_app = create_app({**app_config, "PUBLIC_URL": "https://skp.example.go.id"})
    try:
        upgrade_schema(https_app.extensions["skp.engine"])
        header = https_app.test_client().get("/arsip/login").headers["Set-Cookie"]
    finally:
        https_app.extensions["skp.engine"].dispose()
    attributes = {part.strip().split("=")[0].lower() for part in header.split(";")}
    assert {"secure", "httponly", "samesite"} <= attributes
    assert "SameSite=Lax" in header


@pytest.fixture
def live(app: Flask) -> Iterator[str]:
    with live_server(app) as url:
        yield url


def test_signing_token_never_reaches_the_logs(
    app: Flask, live: str, caplog: pytest.LogCaptureFixture
) -> None:
    document_id = ready_document(app)
    with app.app_context():
        url = document_dict(
            document(app, document_id),
            urls=PublicUrls(live),
            secret=app.config["SECRET_KEY"],
            links=True,
            now=datetime.now(UTC),
        )["signers"][0]["sign_url"]
    token = url.rsplit("/", 1)[1]
    caplog.set_level(logging.DEBUG)
    http = requests.Session()
    page = http.get(url, timeout=30)
    assert page.status_code == 200
    assert http.get(f"{url}/dokumen.pdf", timeout=30).status_code == 200
    csrf = CSRF.search(page.text)
    assert csrf is not None
    wrong = http.post(
        url,
        data={"csrf_token": csrf.group(1), "keputusan": "tandatangani", "passphrase": "pendek"},
        timeout=30,
    )
    assert wrong.status_code == 422
    done = http.post(
        url,
        data={
            "csrf_token": csrf.group(1),
            "keputusan": "tandatangani",
            "kode_verifikasi": kode_for_link(app, token),
            "passphrase": PASS,
            "passphrase_konfirmasi": PASS,
        },
        timeout=30,
    )
    assert done.status_code == 200
    assert http.get(url, timeout=30).status_code == 410
    assert http.post(url, data={}, timeout=30).status_code == 400
    # Expired and re-issued links are logged too.
    with app.app_context():
        signer = document(app, document_id).signers[1]
        issue_link(signer, ttl=timedelta(seconds=-1), now=datetime.now(UTC))
        get_session().commit()
        expired = token_for(signer, secret=app.config["SECRET_KEY"])
    assert expired is not None
    assert http.get(f"{live}/sign/{expired}", timeout=30).status_code == 410

    # The test's own HTTP client (urllib3) logs the URLs it fetches; that is not the service.
    records = [r for r in caplog.records if not r.name.startswith("urllib3")]
    messages = [record.getMessage() for record in records]
    formatted = "\n".join(caplog.handler.format(r) for r in records)
    # The server did log these requests (so the check below has something to look at) …
    assert sum("/sign/[redacted]" in m for m in messages) >= 6
    # … and neither the token nor its MAC part appears anywhere.
    for secret_part in (token, token.split(".")[1], expired, expired.split(".")[1]):
        assert secret_part not in formatted
        assert not any(secret_part in m for m in messages)
