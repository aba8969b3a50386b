"""The document as the API shows it: ``updated_at``, a signer's delegation (Plt/Plh) and refusal
(``alasan``), and the document's ``penolakan``; the same in a search result and to an archive key.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from service.clients import SCOPES, create_client
from service.db import get_session
from service.models import utcnow
from service.workflow.links import token_for
from tests.conftest import load_example
from tests.functional.support import document, ready_document

EXAMPLE = "permenpanrb_8_2021_dokumen_penilaian"
BODY = load_example(EXAMPLE)
PLH = {
    "jenis": "plh",
    "nama": "Rahmat Hidayat, S.E.",
    "nip": "197901012005011001",
    "jabatan": "Kepala Subbagian Umum",
}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _headers(app: Flask, name: str, scopes: tuple[str, ...]) -> dict[str, str]:
    with app.app_context():
        key = create_client(get_session(), name, scopes, instansi=[BODY["instansi"]]).api_key
    return {"Authorization": f"Bearer {key}"}


def _shown(client: FlaskClient, headers: dict[str, str], document_id: str) -> dict[str, Any]:
    answer = client.get(f"/api/v1/documents/{document_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    shown: dict[str, Any] = answer.json
    return shown


def _refuse(client: FlaskClient, app: Flask, document_id: str, urutan: int, alasan: str) -> None:
    with app.app_context():
        token = token_for(document(app, document_id).signers[urutan - 1], secret=app.config["SECRET_KEY"])
    page = client.get(f"/sign/{token}")
    found = CSRF.search(page.text)
    assert found is not None, page.text
    answer = client.post(
        f"/sign/{token}", data={"csrf_token": found.group(1), "keputusan": "tolak", "alasan": alasan}
    )
    assert answer.status_code == 200, answer.text


def test_a_new_document_has_no_delegation_and_no_refusal(app: Flask, client: FlaskClient) -> None:
    owner = _headers(app, "hr-pemilik", SCOPES)
    document_id = ready_document(app, example=EXAMPLE, client_name="hr-pemilik")
    shown = _shown(client, owner, document_id)
    assert shown["penolakan"] is None
    assert [(s["delegasi"], s["alasan"]) for s in shown["signers"]] == [(None, None)] * 3
    assert datetime.fromisoformat(shown["updated_at"]) >= datetime.fromisoformat(shown["created_at"])
    assert shown["updated_at"].endswith("+00:00")


def test_delegation_and_refusal_are_shown_to_every_reader(app: Flask, client: FlaskClient) -> None:
    owner = _headers(app, "hr-pemilik", SCOPES)
    reader = _headers(app, "arsip", ("archive:read",))
    document_id = ready_document(app, example=EXAMPLE, client_name="hr-pemilik")
    delegated = client.post(
        f"/api/v1/documents/{document_id}/signers/2/delegate",
        headers=owner,
        json={**PLH, "keterangan": "Surat Perintah Nomor 12/2024"},
    )
    assert delegated.status_code == 200, delegated.text
    penilai = BODY["pejabat_penilai"]
    expected_delegasi = {
        "jenis": "plh",
        "nama": PLH["nama"],
        "nip": PLH["nip"],
        "jabatan": PLH["jabatan"],
        "keterangan": "Surat Perintah Nomor 12/2024",
        "semula": {"nama": penilai["nama"], "nip": penilai["nip"], "jabatan": penilai["jabatan"]},
    }
    signer = delegated.json["signers"][1]
    assert (signer["nama"], signer["nip"], signer["delegasi"]) == (PLH["nama"], PLH["nip"], expected_delegasi)
    assert delegated.json["penolakan"] is None

    before = utcnow()
    _refuse(client, app, document_id, 1, "  Target kinerja belum disepakati.  ")
    after = utcnow()
    pegawai = BODY["pegawai"]
    for headers in (owner, reader):
        shown = _shown(client, headers, document_id)
        listed = client.get("/api/v1/documents", headers=headers, query_string={"signer_status": "rejected"})
        assert [d["id"] for d in listed.json["items"]] == [document_id]
        for body in (shown, listed.json["items"][0]):
            assert body["status"] == "rejected"
            refusal = body["penolakan"]
            assert refusal is not None
            at = datetime.fromisoformat(refusal.pop("at"))
            assert before <= at <= after
            assert refusal == {
                "urutan": 1,
                "peran": "pegawai",
                "nama": pegawai["nama"],
                "alasan": "Target kinerja belum disepakati.",
            }
            signers = body["signers"]
            assert [(s["status"], s["alasan"]) for s in signers] == [
                ("rejected", "Target kinerja belum disepakati."),
                ("waiting", None),
                ("waiting", None),
            ]
            assert [s["delegasi"] for s in signers] == [None, expected_delegasi, None]
            assert datetime.fromisoformat(body["updated_at"]) >= before
