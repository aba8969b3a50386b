"""The unit and coaching documents (issue 15) through the whole service: each example is created
through the API, rendered by LibreOffice, signed by exactly its form's signers in order, and the
stored file is B-LTA, valid for pyHanko and for poppler's ``pdfsig``; the konseling record is
confidential; the archive finds a unit's documents by unit and periode.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from service.clients import SCOPES, create_client
from service.composition import get_services
from service.db import get_session
from service.models import AuditEvent, MailDelivery, User
from service.users import create_user, set_konseling, user_caller
from service.workflow.archive import ArchiveQuery, search
from service.workflow.pipeline import render_job
from service.workflow.revisions import read_revision
from service.workflow.signing_ops import sign_document
from signing import validate
from tests.conftest import load_example
from tests.functional.support import document, kode_for
from tests.unit.signing.support import make_nss_db, pdfsig

pytestmark = pytest.mark.slow

#: Each new type's example and its signers, in the order they sign (api.md, forms.md §E).
CASES = {
    "permenpanrb_6_2022_penetapan_predikat": ("pimpinan_yang_berwenang",),
    "permenpanrb_8_2021_peringkat": ("pejabat_yang_berwenang",),
    "permenpanrb_6_2022_catatan_bimbingan": ("pejabat_penilai", "pegawai"),
    "permenpanrb_6_2022_umpan_balik_bimbingan": ("pegawai",),
    "permenpanrb_6_2022_konseling": ("konselor",),
}


def _client(app: Flask, name: str) -> str:
    with app.app_context():
        return create_client(get_session(), name, SCOPES, instansi=["Pemerintah Kabupaten Banyumas"]).api_key


def _post(app: Flask, api_key: str, body: dict[str, Any], key: str) -> tuple[int, dict[str, Any]]:
    response = app.test_client().post(
        "/api/v1/documents",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {api_key}", "Idempotency-Key": key},
    )
    return response.status_code, response.json  # type: ignore[return-value]


def _rendered(app: Flask, api_key: str, name: str) -> dict[str, Any]:
    status, answer = _post(app, api_key, load_example(name), name)
    assert status == 202, answer
    with app.app_context():
        render_job(get_session(), get_services(), answer["id"])
        doc = document(app, answer["id"])
        assert doc.status == "awaiting_signature", doc.failure_reason
    return answer


def _sign_all(app: Flask, document_id: str) -> bytes:
    with app.app_context():
        session, services = get_session(), get_services()
        doc = document(app, document_id)
        for signer in doc.signers:
            sign_document(
                session,
                services,
                document(app, document_id),
                urutan=signer.urutan,
                passphrase=f"frasa-sandi-{signer.peran}",
                actor="test",
                ip="127.0.0.1",
                kode=kode_for(session, services, document(app, document_id), signer.urutan),
            )
        doc = document(app, document_id)
        assert doc.status == "completed"
        return read_revision(session, services.store, doc, doc.current_revision)


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_type_is_signed_by_its_signers_and_valid_for_pyhanko_and_pdfsig(
    app_with_converter: Flask, name: str, pki_dir: Path, tmp_path: Path
) -> None:
    app = app_with_converter
    answer = _rendered(app, _client(app, "hr"), name)
    assert tuple(s["peran"] for s in answer["signers"]) == CASES[name]
    final = _sign_all(app, answer["id"])
    with app.app_context():
        report = validate(final, get_services().trust())
    assert report.ok, report.as_dict()
    assert report.pades_level == "B-LTA"
    assert len(report.signatures) == 1 + len(CASES[name])  # the seal, then each signer
    nss = make_nss_db(tmp_path / "nss", pki_dir / "root-ca.cert.pem")
    entries = pdfsig(final, nssdir=nss, workdir=tmp_path)
    signatures = [e for e in entries.values() if e.signature_type != "unknown"]
    assert sorted(e.field_name for e in signatures) == sorted(["segel", *(f"ttd_{r}" for r in CASES[name])])
    assert all(e.signature_validation == "Signature is Valid." for e in signatures)
    assert all(e.certificate_validation == "Certificate is Trusted." for e in signatures)
    with app.app_context():
        session = get_session()
        events = [e.event for e in session.query(AuditEvent).filter_by(document_id=answer["id"])]
        copies = session.query(MailDelivery).filter_by(document_id=answer["id"], kind="completed").count()
    assert events[0] == "created"
    assert events.count("signed") == len(CASES[name])
    # The pegawai of a record gets a link to the signed copy; a unit document has no pegawai, and a
    # konseling record (confidential) is never sent out as a link.
    assert copies == (
        1
        if name in ("permenpanrb_6_2022_catatan_bimbingan", "permenpanrb_6_2022_umpan_balik_bimbingan")
        else 0
    )


def test_a_unit_document_is_about_its_unit_and_found_by_unit_and_periode(app_with_converter: Flask) -> None:
    app = app_with_converter
    answer = _rendered(app, _client(app, "hr"), "permenpanrb_6_2022_penetapan_predikat")
    assert answer["hasil"]["jumlah_pegawai"] == 12
    with app.app_context():
        doc = document(app, answer["id"])
        assert (doc.pegawai_nip, doc.pegawai_nama) == ("", "")
        assert doc.subjek == "Unit Kerja Dinas Komunikasi dan Informatika Kabupaten Banyumas"
        caller = user_caller(_archivist(app, "arsip", konseling=False))
        found = search(get_session(), ArchiveQuery(unit_kerja="Komunikasi Informatika", periode=2024), caller)
        assert [d.id for d in found.items] == [doc.id]
        assert search(get_session(), ArchiveQuery(unit_kerja="Komunikasi", periode=2023), caller).items == []


def _archivist(app: Flask, username: str, *, konseling: bool) -> User:
    return create_user(
        get_session(),
        username,
        "kata-sandi-arsip-12",
        role="arsiparis",
        instansi=["Pemerintah Kabupaten Banyumas"],
        konseling=konseling,
    )


def test_a_konseling_record_is_opened_only_with_the_permission(app_with_converter: Flask) -> None:
    """Confidential: its own client and the archivists granted konseling see it; an archivist of
    the same instansi without it, or another client with archive:read, get "not found".
    """
    app = app_with_converter
    owner = _client(app, "hr")
    answer = _rendered(app, owner, "permenpanrb_6_2022_konseling")
    other = _client(app, "hr-lain")
    api = app.test_client()
    assert (
        api.get(f"/api/v1/documents/{answer['id']}", headers={"Authorization": f"Bearer {owner}"}).status_code
        == 200
    )
    assert (
        api.get(f"/api/v1/documents/{answer['id']}", headers={"Authorization": f"Bearer {other}"}).status_code
        == 404
    )
    listed = api.get("/api/v1/documents?type=konseling", headers={"Authorization": f"Bearer {other}"})
    assert listed.status_code == 200
    assert listed.json["items"] == []
    with app.app_context():
        session = get_session()
        without = user_caller(_archivist(app, "arsip-umum", konseling=False))
        granted = user_caller(_archivist(app, "arsip-konseling", konseling=True))
        assert search(session, ArchiveQuery(type="konseling"), without).items == []
        assert [d.id for d in search(session, ArchiveQuery(type="konseling"), granted).items] == [
            answer["id"]
        ]
        doc = document(app, answer["id"])
        assert not without.may_read(doc)
        assert granted.may_read(doc)
        # The permission is withdrawn at once, and audited.
        set_konseling(session, "arsip-konseling", False, actor="test")
        again = user_caller(session.query(User).filter_by(username="arsip-konseling").one())
        assert not again.may_read(doc)
        assert session.query(AuditEvent).filter_by(event="user_konseling").count() == 1
