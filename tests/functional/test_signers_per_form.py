"""Who signs is the form's (api.md "Documents", forms.md): the API's ``signers`` and the real PDF's
signature fields are exactly the form's signers, in the order the form numbers them; identities the
form does not sign for are printed, not signing. Real rendering and conversion (LibreOffice).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography import x509
from docx import Document as Word
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from service import create_app
from service.clients import SCOPES, create_client
from service.composition import get_services
from service.db import get_session, upgrade_schema
from service.documents.placement import locate_markers
from service.models import SignerKey
from service.workflow.history import build_history_docx
from service.workflow.pipeline import render_job
from service.workflow.signing_ops import sign_document
from tests.functional.support import document, kode_for
from tests.unit.documents.support import FORM_EXAMPLES, evaluasi_jpt
from tests.unit.scoring.test_penandatangan import API_MD

pytestmark = pytest.mark.slow

PEJABAT_NEGARA = {
    "nama": "Drs. H. Achmad Husein",
    "jabatan": "Bupati Banyumas",
    "jenis_jabatan": "pejabat_negara",
    "unit_kerja": "Pemerintah Kabupaten Banyumas",
    "nik": "3302010101650001",
    "email": "bupati@banyumaskab.go.id",
}


def _post(app: Flask, body: dict[str, Any], key: str) -> tuple[int, dict[str, Any]]:
    with app.app_context():
        api_key = create_client(get_session(), f"hr-{key}", SCOPES).api_key
    response = app.test_client().post(
        "/api/v1/documents",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {api_key}", "Idempotency-Key": key},
    )
    return response.status_code, response.json  # type: ignore[return-value]


def _rendered(app: Flask, body: dict[str, Any], key: str) -> tuple[list[str], bytes]:
    """Create the document through the API, render it; its signers' roles and revision 0."""
    status, answer = _post(app, body, key)
    assert status == 202, answer
    with app.app_context():
        session = get_session()
        services = get_services()
        render_job(session, services, answer["id"])
        doc = document(app, answer["id"])
        assert doc.status == "awaiting_signature", doc.failure_reason
        unsigned = services.store.get(doc.id, doc.revisions[0].filename)
    return [s["peran"] for s in answer["signers"]], unsigned


def _signature_fields(pdf: bytes) -> list[tuple[str, int, tuple[float, ...]]]:
    """(name, page index, rectangle) of each signature field, in the AcroForm's order."""
    reader = PdfReader(io.BytesIO(pdf))
    pages = {page.indirect_reference.idnum: index for index, page in enumerate(reader.pages)}  # type: ignore[union-attr]
    found = []
    for ref in reader.trailer["/Root"]["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field.get("/FT") != "/Sig":
            continue
        widget = field["/Kids"][0].get_object() if "/Kids" in field else field
        rect = tuple(round(float(v), 1) for v in widget["/Rect"])
        found.append((str(field["/T"]), pages[widget.raw_get("/P").idnum], rect))
    return found


def _expected(body: dict[str, Any]) -> tuple[str, ...]:
    given = [role for role in ("pegawai", "pejabat_penilai", "atasan_pejabat_penilai") if body.get(role)]
    regime = body["regime"]
    return tuple(r for r in API_MD[body["type"], regime] if r != "atasan_pejabat_penilai" or r in given)


@pytest.mark.parametrize("form", sorted(FORM_EXAMPLES))
def test_each_forms_pdf_has_exactly_its_signers_fields_in_order(app_with_converter: Flask, form: str) -> None:
    body = FORM_EXAMPLES[form]()
    assert body.get("regime"), "the examples name their regime"
    expected = _expected(body)
    roles, unsigned = _rendered(app_with_converter, body, form.replace("/", "-"))
    assert tuple(roles) == expected
    fields = _signature_fields(unsigned)
    assert [name for name, _, _ in fields] == [f"ttd_{role}" for role in expected]
    # Each field sits in its own signing block: where that role's marker is, on that page.
    markers = locate_markers(unsigned)
    assert set(markers) == set(expected), "a signing block for someone who does not sign"
    for (_, page, rect), role in zip(fields, expected, strict=True):
        assert page == markers[role][0], role
        assert rect == pytest.approx(markers[role][1], abs=1), role  # pyHanko keeps whole points


def test_identities_that_do_not_sign_are_still_printed(app_with_converter: Flask) -> None:
    """pp46 evaluasi: the pegawai and the atasan are on the form; only the pejabat penilai signs."""
    body = FORM_EXAMPLES["pp46_2011/evaluasi.docx"]()
    roles, unsigned = _rendered(app_with_converter, body, "printed")
    assert roles == ["pejabat_penilai"]
    status, answer = _post(app_with_converter, body, "printed-again")
    assert status == 202
    with app_with_converter.app_context():
        payload = json.loads(document(app_with_converter, answer["id"]).payload_validated or "{}")
    assert payload["atasan_pejabat_penilai"]["nama"] == body["atasan_pejabat_penilai"]["nama"]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(unsigned)).pages)
    assert body["pegawai"]["nama"] in " ".join(text.split())


@pytest.fixture
def mengetahui_app(app_config: dict[str, Any], converter: Any) -> Iterator[Flask]:
    """An instance whose practice adds "Mengetahui, Atasan Pejabat Penilai Kinerja" to two forms."""
    app = create_app(
        {
            **app_config,
            "CONVERTER": converter,
            "MENGETAHUI_FORMS": "permenpanrb_6_2022/dokumen_penilaian, pp46_2011/evaluasi",
        }
    )
    upgrade_schema(app.extensions["skp.engine"])
    yield app
    app.extensions["skp"].runner.close()
    app.extensions["skp"].leases.close()
    app.extensions["skp.engine"].dispose()


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        (
            "permenpanrb_6_2022/dokumen_penilaian.docx",
            ["pegawai", "pejabat_penilai", "atasan_pejabat_penilai"],
        ),
        ("pp46_2011/evaluasi.docx", ["pejabat_penilai", "atasan_pejabat_penilai"]),
        ("permenpanrb_6_2022/skp.docx", ["pegawai", "pejabat_penilai"]),  # not named
    ],
)
def test_the_mengetahui_setting_adds_the_atasan_last(
    mengetahui_app: Flask, form: str, expected: list[str]
) -> None:
    body = FORM_EXAMPLES[form]()
    if "atasan_pejabat_penilai" not in body:
        body["atasan_pejabat_penilai"] = FORM_EXAMPLES["pp46_2011/evaluasi.docx"]()["atasan_pejabat_penilai"]
    roles, unsigned = _rendered(mengetahui_app, body, form.replace("/", "-"))
    assert roles == expected
    assert [name for name, _, _ in _signature_fields(unsigned)] == [f"ttd_{r}" for r in expected]
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(unsigned)).pages).split())
    assert ("Mengetahui, Atasan Pejabat Penilai" in text) == ("atasan_pejabat_penilai" in expected)


# --- political officials as penilai -------------------------------------------------------------------


def _jpt_evaluasi_by(penilai: dict[str, Any]) -> dict[str, Any]:
    body = evaluasi_jpt()
    body["pejabat_penilai"] = dict(penilai)
    return body


def test_a_political_official_who_signs_without_nik_is_refused(app: Flask) -> None:
    penilai = {k: v for k, v in PEJABAT_NEGARA.items() if k != "nik"}
    status, answer = _post(app, _jpt_evaluasi_by(penilai), "tanpa-nik")
    assert status == 422, answer
    assert [e["field"] for e in answer["errors"]] == ["pejabat_penilai.nik"]
    assert "NIK" in answer["errors"][0]["message"]


def test_a_political_official_who_does_not_sign_needs_no_nik(app: Flask) -> None:
    """The 6/2022 Dokumen Evaluasi: the atasan is printed (section 3) and does not sign."""
    body = FORM_EXAMPLES["permenpanrb_6_2022/dokumen_penilaian.docx"]()
    body["pegawai"]["jenis_jabatan"] = "jpt"
    for row in body["skp"]["hasil_kerja"]:
        row["perspektif"] = "proses_bisnis"
    body["atasan_pejabat_penilai"] = {k: v for k, v in PEJABAT_NEGARA.items() if k != "nik"}
    status, answer = _post(app, body, "atasan-negara")
    assert status == 202, answer
    assert [s["peran"] for s in answer["signers"]] == ["pegawai", "pejabat_penilai"]


def test_a_political_official_signs_by_nik_and_prints_no_nip(app_with_converter: Flask) -> None:
    app = app_with_converter
    body = _jpt_evaluasi_by(PEJABAT_NEGARA)
    status, answer = _post(app, body, "bupati")
    assert status == 202, answer
    with app.app_context():
        session = get_session()
        services = get_services()
        render_job(session, services, answer["id"])
        doc = document(app, answer["id"])
        assert doc.status == "awaiting_signature", doc.failure_reason
        [signer] = doc.signers
        assert (signer.peran, signer.nip) == ("pejabat_penilai", PEJABAT_NEGARA["nik"])
        unsigned = services.store.get(doc.id, doc.revisions[0].filename)
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(unsigned)).pages).split())
        assert PEJABAT_NEGARA["nama"] in text
        assert "NIP. -" not in text  # forms.md A1: the NIP line of a political official is blank
        # The key, its enrollment and the certificate belong to the NIK.
        kode = kode_for(session, services, doc, 1)
        sign_document(
            session,
            services,
            doc,
            urutan=1,
            passphrase="frasa-sandi-bupati",
            actor="test",
            ip=None,
            kode=kode,
        )
        session.commit()
        assert document(app, doc.id).status == "completed"
        [key] = session.scalars(select(SignerKey).where(SignerKey.nip == PEJABAT_NEGARA["nik"])).all()
        subject = x509.load_pem_x509_certificate(key.certificate_pem.encode()).subject
        serial = subject.get_attributes_for_oid(x509.NameOID.SERIAL_NUMBER)
        assert PEJABAT_NEGARA["nik"] in str(serial[0].value)
        # The history sheet names the number for what it is.
        riwayat = Word(io.BytesIO(build_history_docx(document(app, doc.id), [])))
        cells = [cell.text for row in riwayat.tables[0].rows for cell in row.cells]
        assert f"{PEJABAT_NEGARA['nama']}\nNIK {PEJABAT_NEGARA['nik']}" in cells
