"""POST /api/v1/verify: every signature checked, issued-by-service known, bad input a clear 4xx."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from service.composition import get_services
from service.db import get_session
from service.workflow.revisions import read_revision
from tests.functional.support import document, ready_document


def _post(client: FlaskClient, auth: dict[str, str], data: bytes, name: str = "x.pdf") -> object:
    return client.post(
        "/api/v1/verify",
        headers=auth,
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(data), name)},
    )


def _sealed(app: Flask) -> tuple[str, bytes]:
    document_id = ready_document(app)
    with app.app_context():
        doc = document(app, document_id)
        return document_id, read_revision(get_session(), get_services().store, doc, 1)


def test_a_sealed_document_verifies_and_is_known(
    app: Flask, client: FlaskClient, auth: dict[str, str]
) -> None:
    document_id, pdf = _sealed(app)
    response = _post(client, auth, pdf)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.json
    assert body["issued_by_service"] is True
    assert body["document_id"] == document_id
    assert body["revision"] == 1
    (seal,) = body["signatures"]
    assert seal["field"] == "segel"
    assert seal["certification"] is True
    assert (seal["intact"], seal["valid"], seal["trusted"]) == (True, True, True)
    assert seal["pades_level"] in ("B-LT", "B-LTA")
    audit = client.get(f"/api/v1/documents/{document_id}/audit", headers=auth).json
    assert "verified" in [e["event"] for e in audit["items"]]


def test_a_byte_changed_in_the_signed_range_is_reported(
    app: Flask, client: FlaskClient, auth: dict[str, str]
) -> None:
    _, pdf = _sealed(app)
    position = pdf.index(b"/Type /Page") + 2  # inside the first revision, covered by the seal
    tampered = pdf[:position] + bytes([pdf[position] ^ 0x01]) + pdf[position + 1 :]
    response = _post(client, auth, tampered)
    assert response.status_code == 200
    body = response.json
    assert body["issued_by_service"] is False
    assert body["ok"] is False
    assert body["signatures"][0]["intact"] is False
    # A signature over bytes that changed is not a valid signature of this document (issue 10).
    assert body["signatures"][0]["valid"] is False
    assert body["signatures"][0]["ok"] is False


def test_bad_uploads_are_clear_4xx_and_change_nothing(
    app: Flask, client: FlaskClient, auth: dict[str, str], tmp_path: Path
) -> None:
    _, pdf = _sealed(app)
    files = Path(app.config["FILES_DIR"])
    before = sorted(p.relative_to(files) for p in files.rglob("*"))
    not_pdf = _post(client, auth, b"PK\x03\x04 a zip, not a pdf", "x.docx")
    assert not_pdf.status_code == 422
    assert not_pdf.json["errors"][0]["field"] == "file"
    broken = pdf[: pdf.rindex(b"startxref")] + b"startxref\n99999999\n%%EOF\n"  # xref points nowhere
    assert _post(client, auth, broken).status_code == 422
    assert _post(client, auth, b"%PDF-1.7\n" + b"\x00" * 100).status_code == 422
    missing = client.post("/api/v1/verify", headers=auth, content_type="multipart/form-data", data={})
    assert missing.status_code == 422
    assert client.post("/api/v1/verify", headers=auth, json={"file": "x"}).status_code == 415
    # Built by hand: the test client's own spooled file for a large form is never closed.
    boundary = "skpbatas"
    big = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.pdf"\r\n'
            f"Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + b"%PDF-1.7\n"
        + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    oversized = client.post(
        "/api/v1/verify", headers=auth, data=big, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert oversized.status_code == 413
    assert oversized.mimetype == "application/problem+json"
    assert sorted(p.relative_to(files) for p in files.rglob("*")) == before
