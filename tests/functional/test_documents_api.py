"""The document lifecycle over the API, with the real pipeline: docxtpl, warm LibreOffice, seal."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.clients import SCOPES, create_client
from service.db import get_session
from service.models import Document
from signing import signature_fields, validate
from tests.conftest import load_example

pytestmark = pytest.mark.slow  # every test runs the real pipeline on the warm LibreOffice pool

EXAMPLE = "permenpanrb_8_2021_dokumen_penilaian"


@pytest.fixture
def live_auth(live_app: Flask) -> dict[str, str]:
    with live_app.app_context():
        key = create_client(get_session(), "simpeg", SCOPES).api_key
    return {"Authorization": f"Bearer {key}"}


def _post(client: FlaskClient, auth: dict[str, str], body: dict[str, Any], key: str) -> Any:
    return client.post("/api/v1/documents", json=body, headers={**auth, "Idempotency-Key": key})


def _settle(app: Flask) -> None:
    assert app.extensions["skp"].runner.wait_idle(180)


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_create_render_seal_and_download(live_app: Flask, live_auth: dict[str, str], tmp_path: Path) -> None:
    client = live_app.test_client()
    payload = load_example(EXAMPLE)
    response = _post(client, live_auth, payload, "req-001")
    assert response.status_code == 202, response.get_data(as_text=True)
    created = response.json
    assert created["status"] == "rendering"
    assert [s["peran"] for s in created["signers"]] == [
        "pegawai",
        "pejabat_penilai",
        "atasan_pejabat_penilai",
    ]
    assert all(s["sign_url"] is None for s in created["signers"])
    _settle(live_app)

    document = client.get(created["links"]["self"], headers=live_auth).json
    assert document["status"] == "awaiting_signature", document
    assert document["revision"] == 1
    pending = [s for s in document["signers"] if s["status"] == "pending"]
    assert [s["urutan"] for s in pending] == [1]
    assert pending[0]["sign_url"].startswith("http://localhost:5000/sign/")
    assert [s["sign_url"] for s in document["signers"][1:]] == [None, None]

    unsigned = client.get(f"{created['links']['pdf']}?revision=0", headers=live_auth)
    assert unsigned.status_code == 200
    assert unsigned.mimetype == "application/pdf"
    fields = {f.name: f.signed for f in signature_fields(unsigned.data)}
    assert fields == {"ttd_pegawai": False, "ttd_pejabat_penilai": False, "ttd_atasan_pejabat_penilai": False}
    text = _text(unsigned.data, tmp_path)
    for role in ("pegawai", "pejabat_penilai", "atasan_pejabat_penilai"):
        assert payload[role]["nama"] in text
        assert payload[role]["nip"] in text
    assert document["hasil"]["predikat_label"].upper() in text.upper()
    # Every page carries the verification footer (QR code and text) in the reserved band.
    pages = text.split("\f")[:-1]
    assert pages
    code = created["verification_code"]
    assert all(f"/v/{code}" in page.replace(" ", "") for page in pages)

    sealed = client.get(created["links"]["pdf"], headers=live_auth)
    report = validate(sealed.data, live_app.extensions["skp"].trust())
    assert report.ok
    assert [s.certification for s in report.signatures] == [True]

    docx = client.get(created["links"]["docx"], headers=live_auth)
    assert docx.status_code == 200
    assert docx.data[:2] == b"PK"

    audit = client.get(created["links"]["audit"], headers=live_auth).json
    events = [e["event"] for e in audit["items"]]
    assert events[:3] == ["created", "rendered", "sealed"]
    assert "link_issued" in events
    assert "downloaded" in events


def test_idempotency_key_replays_or_conflicts(live_app: Flask, live_auth: dict[str, str]) -> None:
    client = live_app.test_client()
    payload = load_example(EXAMPLE)
    first = _post(client, live_auth, payload, "req-002")
    again = _post(client, live_auth, payload, "req-002")
    assert again.status_code == 202
    assert again.json["id"] == first.json["id"]
    changed = {**payload, "tempat": "Semarang"}
    conflict = _post(client, live_auth, changed, "req-002")
    assert conflict.status_code == 409
    assert conflict.mimetype == "application/problem+json"
    _settle(live_app)
    with live_app.app_context():
        assert get_session().scalar(select(func.count(Document.id))) == 1


def test_invalid_payload_is_422_and_stores_nothing(live_app: Flask, live_auth: dict[str, str]) -> None:
    client = live_app.test_client()
    payload = load_example(EXAMPLE)
    payload["pegawai"]["nip"] = "123"
    response = _post(client, live_auth, payload, "req-003")
    assert response.status_code == 422
    assert "pegawai.nip" in [e["field"] for e in response.json["errors"]]
    missing_key = client.post("/api/v1/documents", json=load_example(EXAMPLE), headers=live_auth)
    assert missing_key.status_code == 422
    with live_app.app_context():
        assert get_session().scalar(select(func.count(Document.id))) == 0


def test_broken_instance_template_fails_with_a_reason(live_app: Flask, live_auth: dict[str, str]) -> None:
    from service.documents.render import template_name
    from service.jsonio import parse_json
    from service.schemas import DocumentPayloadSchema

    payload = load_example(EXAMPLE)
    name = template_name(DocumentPayloadSchema().load(parse_json(json.dumps(payload).encode())))
    target = Path(live_app.config["INSTANCE_TEMPLATES_DIR"]) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"this is not a Word file")
    client = live_app.test_client()
    created = _post(client, live_auth, payload, "req-004").json
    _settle(live_app)
    document = client.get(created["links"]["self"], headers=live_auth).json
    assert document["status"] == "failed"
    assert document["failure_reason"]
    assert "Traceback" not in document["failure_reason"]
    assert client.get(created["links"]["pdf"], headers=live_auth).status_code == 404


def test_cancel_and_revision_parameters(live_app: Flask, live_auth: dict[str, str]) -> None:
    client = live_app.test_client()
    created = _post(client, live_auth, load_example(EXAMPLE), "req-005").json
    _settle(live_app)
    base = created["links"]["self"]
    assert client.get(f"{base}/pdf?revision=7", headers=live_auth).status_code == 404
    assert client.get(f"{base}/pdf?revision=../../etc", headers=live_auth).status_code == 422
    assert client.get("/api/v1/documents/doc_nope", headers=live_auth).status_code == 404
    cancelled = client.post(f"{base}/cancel", headers=live_auth)
    assert cancelled.status_code == 200
    assert cancelled.json["status"] == "cancelled"
    assert all(s["sign_url"] is None for s in cancelled.json["signers"])
    assert client.post(f"{base}/cancel", headers=live_auth).status_code == 409


def test_completed_document_gets_a_sealed_history_sheet_beside_it(
    live_app: Flask, live_auth: dict[str, str], tmp_path: Path
) -> None:
    from service.composition import get_services
    from service.workflow.signing_ops import sign_document
    from tests.functional.support import document as load
    from tests.functional.support import kode_for

    client = live_app.test_client()
    created = _post(client, live_auth, load_example(EXAMPLE), "req-006").json
    _settle(live_app)
    assert client.get(f"{created['links']['self']}/riwayat.pdf", headers=live_auth).status_code == 404
    with live_app.app_context():
        for urutan in (1, 2, 3):
            doc = load(live_app, created["id"])
            sign_document(
                get_session(),
                get_services(),
                doc,
                urutan=urutan,
                passphrase=f"frasa-sandi-{urutan}",
                actor="test",
                ip=None,
                kode=kode_for(get_session(), get_services(), doc, urutan),
            )
    _settle(live_app)
    final = client.get(created["links"]["pdf"], headers=live_auth).data
    history = client.get(f"{created['links']['self']}/riwayat.pdf", headers=live_auth)
    assert history.status_code == 200
    report = validate(history.data, live_app.extensions["skp"].trust())
    assert report.ok
    assert [s.certification for s in report.signatures] == [True]
    text = _text(history.data, tmp_path)
    assert "LEMBAR RIWAYAT" in text
    import hashlib

    # The sheet names the final revision's hash; the signed file itself was not touched again.
    assert hashlib.sha256(final).hexdigest() in text.replace("\n", "").replace(" ", "")
    document = client.get(created["links"]["self"], headers=live_auth).json
    assert document["status"] == "completed"
    assert document["revision"] == 4
    events = [e["event"] for e in client.get(created["links"]["audit"], headers=live_auth).json["items"]]
    assert events.count("history_issued") == 1


def test_thousand_rows_render_and_one_more_is_refused(
    live_app: Flask, live_auth: dict[str, str], tmp_path: Path
) -> None:
    """The schema's row limit is 1,000: that many make a correct (long) document, 1,001 a 422."""
    client = live_app.test_client()
    payload = load_example("pp46_2011_skp")
    row = payload["skp"]["kegiatan"][0]
    payload["skp"]["kegiatan"] = [{**row, "uraian": f"{row['uraian']} (berkas {i + 1})"} for i in range(1000)]
    too_many = {**payload, "skp": {**payload["skp"], "kegiatan": [*payload["skp"]["kegiatan"], row]}}
    refused = _post(client, live_auth, too_many, "rows-1001")
    assert refused.status_code == 422
    assert "skp.kegiatan" in [e["field"] for e in refused.json["errors"]]
    created = _post(client, live_auth, payload, "rows-1000")
    assert created.status_code == 202
    _settle(live_app)
    document = client.get(created.json["links"]["self"], headers=live_auth).json
    assert document["status"] == "awaiting_signature", document.get("failure_reason")
    assert document["hasil"]["jumlah_kegiatan"] == 1000
    text = _text(client.get(f"{created.json['links']['pdf']}?revision=0", headers=live_auth).data, tmp_path)
    assert "(berkas 1)" in text
    assert "(berkas 1000)" in text
    assert text.count("\f") > 10
