"""Tenancy: a key or an archivist of another instansi finds nothing; reading the archive shows no
live link and changes nothing; a client creates documents only for its own instansi.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from service.clients import SCOPES, create_client
from service.db import get_session
from service.models import AuditEvent, User
from service.users import create_user
from tests.conftest import load_example
from tests.functional.support import ready_document

EXAMPLE = "permenpanrb_8_2021_dokumen_penilaian"
INSTANSI = load_example(EXAMPLE)["instansi"]
OTHER = "Pemerintah Kabupaten Lain"
PASSWORD = "kata-sandi-arsip-yang-panjang"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _key(app: Flask, name: str, scopes: tuple[str, ...] | list[str], instansi: list[str]) -> dict[str, str]:
    with app.app_context():
        key = create_client(get_session(), name, scopes, instansi=instansi).api_key
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def owner(app: Flask) -> dict[str, str]:
    """The HR system of the document's instansi, which created it."""
    return _key(app, "hr-pemilik", SCOPES, [INSTANSI])


@pytest.fixture
def document_id(app: Flask, owner: dict[str, str]) -> str:
    return ready_document(app, example=EXAMPLE, client_name="hr-pemilik")


def _document_routes(app: Flask) -> list[tuple[str, str]]:
    """Every API route of one document, with its methods: a new route is covered without a new test."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/documents/<document_id>"):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((method, rule.rule))
    return routes


def _url(rule: str, document_id: str) -> str:
    return rule.replace("<document_id>", document_id).replace("<int:urutan>", "1")


def test_a_key_of_another_instansi_finds_no_document_on_any_route(
    app: Flask, client: FlaskClient, document_id: str
) -> None:
    stranger = _key(app, "hr-lain", SCOPES, [OTHER])
    routes = _document_routes(app)
    assert len(routes) >= 9  # status, pdf, docx, riwayat, audit, webhooks, cancel, reissue, delegate, …
    for method, rule in routes:
        response = client.open(_url(rule, document_id), method=method, headers=stranger, json={})
        assert response.status_code == 404, (method, rule, response.status_code)
        assert response.mimetype == "application/problem+json"
        # The same answer as for an id that does not exist: ids of other instansi are not revealed.
        unknown = client.open(_url(rule, "doc_tidakada"), method=method, headers=stranger, json={})
        assert (unknown.status_code, unknown.json["title"]) == (404, response.json["title"])
    # Nothing of it in a search, even with archive:read.
    found = client.get("/api/v1/documents", headers=stranger)
    assert found.status_code == 200
    assert found.json == {"items": [], "next_cursor": None}
    # The document is still as it was: the stranger's cancel changed nothing.
    assert client.get(f"/api/v1/documents/{document_id}", headers=_owner_headers(app)).json["status"] == (
        "awaiting_signature"
    )


def _owner_headers(app: Flask) -> dict[str, str]:
    return _key(app, "hr-pemilik-2", ["documents:read", "archive:read"], [INSTANSI])


def test_verify_tells_another_instansi_no_document_id(
    app: Flask, client: FlaskClient, owner: dict[str, str], document_id: str
) -> None:
    pdf = client.get(f"/api/v1/documents/{document_id}/pdf", headers=owner).data
    stranger = _key(app, "hr-lain", ["documents:read"], [OTHER])
    for headers, expected in ((owner, document_id), (stranger, None)):
        response = client.post("/api/v1/verify", headers=headers, data={"file": (_io(pdf), "d.pdf")})
        assert response.status_code == 200, response.text
        assert response.json["issued_by_service"] is True  # the file's own QR code says as much
        assert response.json["document_id"] == expected
        assert (response.json["revision"] is None) == (expected is None)


def _io(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


def test_archive_reader_of_the_same_instansi_reads_but_sees_no_link_and_changes_nothing(
    app: Flask, client: FlaskClient, owner: dict[str, str], document_id: str
) -> None:
    reader = _key(app, "arsip-instansi", ["archive:read"], [INSTANSI.upper()])
    mine = client.get(f"/api/v1/documents/{document_id}", headers=owner).json
    assert mine["signers"][0]["sign_url"] is not None
    seen = client.get(f"/api/v1/documents/{document_id}", headers=reader)
    assert seen.status_code == 200
    assert seen.json["instansi"] == INSTANSI
    assert [s["sign_url"] for s in seen.json["signers"]] == [None] * len(mine["signers"])
    listed = client.get("/api/v1/documents", headers=reader).json["items"]
    assert [d["id"] for d in listed] == [document_id]
    assert all(s["sign_url"] is None for s in listed[0]["signers"])
    assert client.get(f"/api/v1/documents/{document_id}/pdf", headers=reader).status_code == 200
    for path, body in (
        ("cancel", None),
        ("signers/1/reissue", None),
        ("signers/1/delegate", {"jenis": "plt", "nama": "X", "nip": "198001012005011001", "jabatan": "Y"}),
    ):
        refused = client.post(f"/api/v1/documents/{document_id}/{path}", headers=reader, json=body)
        assert refused.status_code == 403, (path, refused.text)
    assert client.get(f"/api/v1/documents/{document_id}/webhooks", headers=reader).status_code == 403
    after = client.get(f"/api/v1/documents/{document_id}", headers=owner).json
    assert after["status"] == "awaiting_signature"
    assert after["signers"][0]["sign_url"] == mine["signers"][0]["sign_url"]  # not reissued


def test_without_archive_read_a_client_sees_only_its_own_documents(
    app: Flask, client: FlaskClient, document_id: str
) -> None:
    colleague = _key(app, "hr-kedua", ["documents:write", "documents:read"], [INSTANSI])
    assert client.get(f"/api/v1/documents/{document_id}", headers=colleague).status_code == 404
    assert client.get("/api/v1/documents", headers=colleague).json["items"] == []


def test_a_client_creates_documents_only_for_its_instansi(app: Flask, client: FlaskClient) -> None:
    body = load_example(EXAMPLE)
    stranger = _key(app, "hr-lain", SCOPES, [OTHER])
    refused = client.post("/api/v1/documents", headers={**stranger, "Idempotency-Key": "t-1"}, json=body)
    assert refused.status_code == 403
    assert refused.json["errors"] == [
        {"field": "instansi", "message": "di luar instansi yang dilayani kunci API ini"}
    ]
    # Compared case- and space-insensitively.
    own = _key(app, "hr-sendiri", SCOPES, [f"  {INSTANSI.lower()} "])
    body["instansi"] = INSTANSI.upper().replace(" ", "   ")
    created = client.post("/api/v1/documents", headers={**own, "Idempotency-Key": "t-2"}, json=body)
    assert created.status_code == 202, created.text
    # An operator key (no instansi named) serves every instansi.
    operator = _key(app, "operator", SCOPES, [])
    body["instansi"] = OTHER
    assert (
        client.post(
            "/api/v1/documents", headers={**operator, "Idempotency-Key": "t-3"}, json=body
        ).status_code
        == 202
    )


def _login(client: FlaskClient, username: str) -> None:
    page = client.get("/arsip/login")
    match = CSRF.search(page.text)
    assert match is not None
    response = client.post(
        "/arsip/login", data={"username": username, "password": PASSWORD, "csrf_token": match.group(1)}
    )
    assert response.status_code == 302, response.text


@pytest.mark.parametrize(("instansi", "sees"), [([OTHER], False), ([INSTANSI], True), ([], True)])
def test_an_archivist_sees_only_the_documents_of_their_instansi(
    app: Flask, document_id: str, instansi: list[str], sees: bool
) -> None:
    with app.app_context():
        create_user(get_session(), "arsip1", PASSWORD, role="arsiparis", instansi=instansi)
    browser = app.test_client()
    _login(browser, "arsip1")
    search = browser.get("/arsip/", query_string={"q": "a"})
    assert search.status_code == 200
    assert (f"/arsip/dokumen/{document_id}" in search.text) is sees
    page = browser.get(f"/arsip/dokumen/{document_id}")
    download = browser.get(f"/arsip/dokumen/{document_id}/revisi/1.pdf")
    assert (page.status_code, download.status_code) == ((200, 200) if sees else (404, 404))
    if not sees:  # the page says what it says of an id that does not exist
        unknown = browser.get("/arsip/dokumen/doc_tidakada")
        assert page.text.replace(document_id, "doc_tidakada") == unknown.text


def test_cli_grants_least_privilege_and_names_the_instansi(app: Flask, runner: FlaskCliRunner) -> None:
    plain = runner.invoke(args=["skp", "clients", "create", "simpeg"])
    assert plain.exit_code == 0, plain.output
    assert "scopes: documents:read documents:write" in plain.output
    assert "Instansi: every instansi (operator)" in plain.output
    scoped = runner.invoke(
        args=["skp", "clients", "create", "simpeg-2", "--instansi", INSTANSI, "--instansi", OTHER]
    )
    assert scoped.exit_code == 0, scoped.output
    assert f"Instansi: {INSTANSI}; {OTHER}" in scoped.output
    user = runner.invoke(
        args=["skp", "users", "create", "arsip2", "--instansi", INSTANSI, "--password", PASSWORD]
    )
    assert user.exit_code == 0, user.output
    assert f"instansi: {INSTANSI}" in user.output
    too_long = runner.invoke(args=["skp", "clients", "create", "x", "--instansi", "a" * 301])
    assert too_long.exit_code != 0
    assert "longer than 300" in too_long.output


def test_the_konseling_permission_from_the_cli(app: Flask, runner: FlaskCliRunner) -> None:
    """Granted at creation or later, withdrawn, each change audited; an unknown account is an error."""
    made = runner.invoke(
        args=[
            "skp",
            "users",
            "create",
            "konselor-arsip",
            "--instansi",
            INSTANSI,
            "--konseling",
            "--password",
            PASSWORD,
        ]
    )
    assert made.exit_code == 0, made.output
    assert "may open konseling records" in made.output
    revoked = runner.invoke(args=["skp", "users", "konseling", "konselor-arsip", "--revoke"])
    assert revoked.exit_code == 0, revoked.output
    granted = runner.invoke(args=["skp", "users", "konseling", "konselor-arsip", "--grant"])
    assert granted.exit_code == 0, granted.output
    assert runner.invoke(args=["skp", "users", "konseling", "nobody", "--grant"]).exit_code != 0
    with app.app_context():
        session = get_session()
        user = session.query(User).filter_by(username="konselor-arsip").one()
        assert user.konseling is True
        changes = [
            json.loads(e.data_json) for e in session.query(AuditEvent).filter_by(event="user_konseling")
        ]
    assert [(c["before"], c["after"]) for c in changes] == [(True, False), (False, True)]
