"""The archive and the public page for people: results told apart, the final revision marked with
its files beside it, and ``/v/<code>`` that never shows an unsigned file as a signed one.
"""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from service.composition import get_services
from service.db import get_session
from service.models import AuditEvent, Document
from service.users import create_user
from service.workflow.history import HISTORY_FILE
from service.workflow.pipeline import DOCX_FILE
from service.workflow.revisions import read_revision
from service.workflow.signing_ops import sign_document
from tests.functional.support import document, kode_for, ready_document

ARSIP_PASSWORD = "kata-sandi-arsip-yang-panjang"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASS = {1: "frasa-sandi-pegawai", 2: "frasa-sandi-penilai", 3: "frasa-sandi-atasan"}


def _login(client: FlaskClient) -> None:
    with client.application.app_context():
        create_user(get_session(), "arsip1", ARSIP_PASSWORD, role="arsiparis")
    page = client.get("/arsip/login")
    match = CSRF.search(page.text)
    assert match is not None
    response = client.post(
        "/arsip/login", data={"username": "arsip1", "password": ARSIP_PASSWORD, "csrf_token": match.group(1)}
    )
    assert response.status_code == 302


def _sign(app: Flask, document_id: str, upto: int, start: int = 1) -> None:
    for urutan in range(start, upto + 1):
        with app.app_context():
            doc = document(app, document_id)
            sign_document(
                get_session(),
                get_services(),
                doc,
                urutan=urutan,
                passphrase=PASS[urutan],
                actor=f"nip:{urutan}",
                ip="127.0.0.1",
                kode=kode_for(get_session(), get_services(), doc, urutan),
            )


def _revision(app: Flask, document_id: str, number: int) -> bytes:
    with app.app_context():
        return read_revision(get_session(), get_services().store, document(app, document_id), number)


def _upload(client: FlaskClient, code: str, data: bytes) -> str:
    page = client.get(f"/v/{code}")
    match = CSRF.search(page.text)
    assert match is not None
    response = client.post(
        f"/v/{code}",
        data={"csrf_token": match.group(1), "file": (io.BytesIO(data), "dokumen.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.text
    found = re.search(r'<div id="hasil-unggahan">(.*?)</div>', response.text, re.S)
    assert found is not None
    return found.group(1)


def _code(app: Flask, document_id: str) -> str:
    with app.app_context():
        return document(app, document_id).verification_code


def _top(html: str) -> str:
    """The page above the technical fold."""
    return html.split('<details id="rincian-teknis">', 1)[0]


def test_revision_0_and_a_sealed_draft_never_read_as_signed(app: Flask, client: FlaskClient) -> None:
    document_id = ready_document(app)  # revision 0 (unsigned) and revision 1 (the service's seal)
    code = _code(app, document_id)
    page = client.get(f"/v/{code}").text
    top = re.search(r'<p class="([a-z]+)" role="[a-z]+" id="kesimpulan">(.*?)</p>', page, re.S)
    assert top is not None
    assert top.group(1) == "catatan"  # not the green "sukses"
    assert "belum ditandatangani siapa pun" in top.group(2)
    assert 'class="sukses"' not in _top(page)
    # The defect: revision 0 uploaded read green, "revisi 0 yang diterbitkan layanan ini".
    said = _upload(client, code, _revision(app, document_id, 0))
    assert 'class="sukses"' not in said
    assert 'class="catatan"' in said
    assert "revisi 0" in said
    assert "belum ditandatangani" in said
    assert "bukan dokumen yang sudah ditandatangani" in said
    sealed = _upload(client, code, _revision(app, document_id, 1))
    assert 'class="sukses"' not in sealed
    assert "hanya disegel layanan" in sealed


def test_the_public_page_says_who_signed_in_plain_words_and_folds_the_technical_part(
    app: Flask, client: FlaskClient
) -> None:
    document_id = ready_document(app)
    code = _code(app, document_id)
    _sign(app, document_id, 1)
    partial = client.get(f"/v/{code}").text
    assert (
        'class="catatan" role="status" id="kesimpulan">Dokumen ini belum selesai ditandatangani.' in partial
    )
    assert "Baru 1 dari 3 penanda tangan" in partial
    _sign(app, document_id, 3, start=2)
    with app.app_context():
        doc = document(app, document_id)
        names = [s.nama for s in doc.signers]
        final = doc.current_revision
    page = client.get(f"/v/{code}").text
    top = _top(page)
    conclusion = re.search(r'<p class="sukses" role="status" id="kesimpulan">(.*?)</p>', top, re.S)
    assert conclusion is not None
    assert "ditandatangani oleh semua penanda tangan (3 orang" in conclusion.group(1)
    assert "tidak berubah" in conclusion.group(1)
    for name in names:
        assert name in conclusion.group(1)
    # The jargon is in the fold, not above it.
    fold = page.split('<details id="rincian-teknis">', 1)[1]
    for word in ("SHA-256", "PAdES", "B-LTA"):
        assert word not in top, word
        assert word in fold, word
    assert "<summary>Rincian teknis</summary>" in fold
    # An older revision is named as such; the final one reads green.
    older = _upload(client, code, _revision(app, document_id, 2))
    assert 'class="sukses"' not in older
    assert "1 dari 3 penanda tangan" in older
    assert f"versi terakhir adalah revisi {final}" in older
    newest = _upload(client, code, _revision(app, document_id, final))
    assert 'class="sukses"' in newest
    assert f"dokumen final (revisi {final})" in newest


def test_two_results_of_the_same_title_are_told_apart(app: Flask, client: FlaskClient) -> None:
    first = ready_document(app, client_name="simpeg-provinsi", idempotency_key="a")
    second = ready_document(app, client_name="e-kinerja-bkd", idempotency_key="b")
    with app.app_context():
        session = get_session()
        # The same pegawai's evaluation of 2021 twice: one for the first half, one for the year.
        doc = document(app, second)
        payload = json.loads(doc.payload_json)
        payload["periode"] = {"mulai": "2021-01-01", "selesai": "2021-12-31"}
        session.execute(
            update(Document)
            .where(Document.id == second)
            .values(
                payload_json=json.dumps(payload),
                status="cancelled",
                created_at=datetime(2022, 1, 20, 3, 0, tzinfo=UTC),
            )
        )
        session.execute(
            update(Document)
            .where(Document.id == first)
            .values(created_at=datetime(2022, 1, 20, 3, 0, tzinfo=UTC) + timedelta(days=40))
        )
        session.commit()
        nip = document(app, first).pegawai_nip
    _login(client)
    page = client.get("/arsip/", query_string={"nip": nip})
    assert page.status_code == 200
    rows = re.findall(r'<tr class="hasil-dokumen">(.*?)</tr>', page.text, re.S)
    assert len(rows) == 2
    text = [re.sub(r"<[^>]+>", " ", row) for row in rows]
    assert text[0] != text[1]
    assert "simpeg-provinsi" in text[0]
    assert "e-kinerja-bkd" in text[1]
    assert "1 Juli 2021 s.d. 31 Desember 2021" in text[0]
    assert "1 Januari 2021 s.d. 31 Desember 2021" in text[1]
    assert "dibatalkan" in text[1]
    assert "1 Maret 2022" in text[0]
    assert "20 Januari 2022" in text[1]


def test_the_document_page_marks_the_final_revision_with_its_files_beside_it(
    app: Flask, client: FlaskClient
) -> None:
    document_id = ready_document(app)
    _sign(app, document_id, 3)
    with app.app_context():
        services = get_services()
        services.store.put(document_id, DOCX_FILE, b"PK\x03\x04 form")
        final = document(app, document_id).current_revision
    _login(client)
    page = client.get(f"/arsip/dokumen/{document_id}").text
    assert 'id="tanda-final"' in page
    marked = re.findall(r'<tr class="final"><td>(\d+) <span', page)
    assert marked == [str(final)]
    assert f'href="/arsip/dokumen/{document_id}/revisi/{final}.pdf" id="unduh-final"' in page
    assert f'href="/arsip/dokumen/{document_id}/docx" id="unduh-docx"' in page
    assert 'id="unduh-riwayat"' not in page  # not issued yet: no link to a missing file
    assert "draf, belum ditandatangani" in page  # revision 0 says what it is
    assert '<td id="regulasi">PermenPANRB 8/2021 (Penilaian Kinerja)</td>' in page
    assert "permenpanrb_8_2021" not in page
    trail = page.split('id="jejak-audit"', 1)[1]
    assert "Ditandatangani" in trail
    assert "Semua tanda tangan lengkap" in trail
    assert ">signed<" not in trail
    with app.app_context():
        get_services().store.put(document_id, HISTORY_FILE, b"%PDF-1.7 riwayat")
    page = client.get(f"/arsip/dokumen/{document_id}").text
    assert f'href="/arsip/dokumen/{document_id}/riwayat" id="unduh-riwayat"' in page
    docx = client.get(f"/arsip/dokumen/{document_id}/docx")
    assert docx.status_code == 200
    assert docx.data == b"PK\x03\x04 form"
    assert client.get(f"/arsip/dokumen/{document_id}/riwayat").data == b"%PDF-1.7 riwayat"
    assert client.get(f"/arsip/dokumen/{document_id}/lain").status_code == 404
    with app.app_context():
        downloads = get_session().scalars(
            select(AuditEvent.data_json).where(
                AuditEvent.document_id == document_id,
                AuditEvent.event == "downloaded",
                AuditEvent.actor == "user:arsip1",
            )
        )
        assert sorted(downloads) == ['{"format": "docx"}', '{"format": "riwayat"}']


def test_a_document_not_yet_final_marks_none_and_files_of_another_instansi_are_not_found(
    app: Flask, client: FlaskClient
) -> None:
    document_id = ready_document(app)
    _sign(app, document_id, 1)
    _login(client)
    page = client.get(f"/arsip/dokumen/{document_id}").text
    assert 'id="tanda-final"' not in page
    assert "terbaru, belum final" in page
    assert "tanda tangan yang ada sah dan utuh (1 dari 3)" in page
    assert client.get(f"/arsip/dokumen/{document_id}/docx").status_code == 404  # not made
    assert client.get("/arsip/dokumen/doc_tidak_ada/docx").status_code == 404


def test_a_unit_document_is_shown_by_its_unit_and_a_konseling_record_only_with_the_permission(
    app: Flask, client: FlaskClient
) -> None:
    """The archive's list, document page and the public page name a unit document by its unit (it
    has no pegawai); an archivist without the konseling permission meets a konseling record nowhere,
    neither in the list nor at its address nor its files.
    """
    unit_id = ready_document(app, example="permenpanrb_6_2022_penetapan_predikat", idempotency_key="u")
    konseling_id = ready_document(app, example="permenpanrb_6_2022_konseling", idempotency_key="k")
    _login(client)
    listing = client.get("/arsip/?periode=2024")
    assert listing.status_code == 200
    assert "Unit Kerja Dinas Komunikasi dan Informatika Kabupaten Banyumas" in listing.text
    assert konseling_id not in listing.text
    assert "Hadi Susanto" not in listing.text
    page = client.get(f"/arsip/dokumen/{unit_id}")
    assert page.status_code == 200
    assert "Penetapan Predikat Kinerja" in page.text
    assert "Unit Kerja Dinas Komunikasi dan Informatika Kabupaten Banyumas" in page.text
    for path in (f"/arsip/dokumen/{konseling_id}", f"/arsip/dokumen/{konseling_id}/revisi/1.pdf"):
        assert client.get(path).status_code == 404, path
    public = client.get(f"/v/{_code(app, unit_id)}")
    assert public.status_code == 200
    assert "Dinas Komunikasi dan Informatika Kabupaten Banyumas" in public.text
    with app.app_context():
        from service.users import set_konseling

        set_konseling(get_session(), "arsip1", True, actor="test")
    assert client.get(f"/arsip/dokumen/{konseling_id}").status_code == 200
    assert konseling_id in client.get("/arsip/?type=konseling").text
