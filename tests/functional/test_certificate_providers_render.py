"""Certificate providers through the real pipeline: docxtpl, warm LibreOffice, footer, seal, signatures.

A signer who signs through BSrE gets no field from the render job: the place of their signature block
is kept and BSrE draws its own field there. These tests check that against a form LibreOffice really
rendered, where the boxes come from the template's markers, not from a fixture.
``SKP_UPDATE_FORM_PREVIEWS=1`` also writes the signed signature page to ``docs/forms/penyedia-bsre-ttd.png``.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from service import create_app
from service.clients import SCOPES, create_client
from service.composition import get_services
from service.db import get_session, upgrade_schema
from service.documents.placement import footer_band
from service.workflow.revisions import read_revision
from service.workflow.signing_ops import sign_document
from signing import add_footer_and_fields, signature_fields, validate
from tests.conftest import load_example
from tests.functional.support import PROVIDERS, document, kode_for
from tests.outside.bsre_server import BsreContractServer
from tests.outside.pki import PEOPLE
from tests.outside.servers import OutsideServers
from tests.unit.signing.support import sample_pdf

pytestmark = pytest.mark.slow  # the real pipeline on the warm LibreOffice pool

EXAMPLE = "permenpanrb_8_2021_dokumen_penilaian"
PREVIEW = Path(__file__).resolve().parents[2] / "docs" / "forms" / "penyedia-bsre-ttd.png"
FORM_FIELDS = {"ttd_pegawai", "ttd_pejabat_penilai"}


@pytest.fixture
def live_provider_app(provider_config: dict[str, Any], converter: Any) -> Iterator[Flask]:
    """The provider app with its real job runner and the session's warm converter."""
    app = create_app({**provider_config, "RUNNER": None, "CONVERTER": converter})
    upgrade_schema(app.extensions["skp.engine"])
    yield app
    app.extensions["skp"].runner.close()
    app.extensions["skp"].leases.close()  # not close(): the converter belongs to the session
    app.extensions["skp.engine"].dispose()


def _payload(people: dict[str, dict[str, Any]]) -> dict[str, Any]:
    body = load_example(EXAMPLE)
    for peran, extra in people.items():
        body[peran] = {**body[peran], **extra}
    return body


def _post(client: FlaskClient, auth: dict[str, str], body: dict[str, Any], key: str) -> str:
    response = client.post("/api/v1/documents", json=body, headers={**auth, "Idempotency-Key": key})
    assert response.status_code == 202, response.get_data(as_text=True)
    created = response.get_json()
    assert isinstance(created, dict)
    return str(created["id"])


def _settle(app: Flask) -> None:
    assert app.extensions["skp"].runner.wait_idle(180)


def _revision(app: Flask, document_id: str, revision: int | None = None) -> bytes:
    with app.app_context():
        doc = document(app, document_id)
        number = doc.current_revision if revision is None else revision
        return read_revision(get_session(), get_services().store, doc, number)


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _certifies(pdf: bytes) -> bool:
    """Whether the file carries a certification signature (``/Perms/DocMDP`` in its catalog)."""
    root = PdfReader(BytesIO(pdf)).trailer["/Root"].get_object()
    assert isinstance(root, DictionaryObject)
    perms = root.get("/Perms")
    return perms is not None and "/DocMDP" in perms.get_object()


def _sig_widgets(pdf: bytes) -> dict[str, tuple[int, list[float]]]:
    """Signature field name → (page index, widget ``/Rect``), read from the pages' annotations."""
    found: dict[str, tuple[int, list[float]]] = {}
    for index, page in enumerate(PdfReader(BytesIO(pdf)).pages):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            field: DictionaryObject = annot
            if "/FT" not in field and "/Parent" in annot:
                field = annot["/Parent"].get_object()
            if field.get("/FT") == "/Sig":
                found[str(field["/T"])] = (index, [float(v) for v in annot["/Rect"]])
    return found


def _sign(app: Flask, document_id: str, urutan: int, *, passphrase: str = "", pin: str = "") -> None:
    with app.app_context():
        doc = document(app, document_id)
        kode = kode_for(get_session(), get_services(), doc, urutan) if urutan == 1 else ""
        sign_document(
            get_session(),
            get_services(),
            doc,
            urutan=urutan,
            passphrase=passphrase,
            actor="test",
            ip="127.0.0.1",
            kode=kode,
            pin=pin,
        )


def test_a_rendered_form_signed_through_instansi_csc_and_bsre_keeps_bsres_place_and_ends_b_lta(
    live_provider_app: Flask, outside: OutsideServers, bsre: BsreContractServer, tmp_path: Path
) -> None:
    app = live_provider_app
    client = app.test_client()
    with app.app_context():
        auth = {"Authorization": f"Bearer {create_client(get_session(), 'simpeg', SCOPES).api_key}"}
    document_id = _post(client, auth, _payload(PROVIDERS), "k-bsre")
    without_bsre = {"pejabat_penilai": PROVIDERS["pejabat_penilai"]}
    other_id = _post(client, auth, _payload(without_bsre), "k-tanpa-bsre")
    _settle(app)

    with app.app_context():
        doc = document(app, document_id)
        assert doc.status == "awaiting_signature", doc.failure_reason
        assert [(s.peran, s.penyedia) for s in doc.signers] == [
            ("pegawai", "instansi"),
            ("pejabat_penilai", "csc"),
            ("atasan_pejabat_penilai", "bsre"),
        ]
        # Every signer's place is kept, the BSrE signer's too (nothing else tells BSrE where).
        assert all(s.kotak_json for s in doc.signers)
        kotak = {s.peran: json.loads(s.kotak_json or "null") for s in doc.signers}
        other = document(app, other_id)
        assert other.status == "awaiting_signature", other.failure_reason
    for page, x1, y1, x2, y2 in kotak.values():
        assert page >= 0
        assert x2 > x1
        assert y2 > y1

    # Revision 0: fields for the pegawai and the pejabat penilai, none for the atasan (BSrE).
    unsigned = _revision(app, document_id, 0)
    assert {f.name: f.signed for f in signature_fields(unsigned)} == dict.fromkeys(FORM_FIELDS, False)
    widgets = _sig_widgets(unsigned)
    for peran in ("pegawai", "pejabat_penilai"):
        page, *box = kotak[peran]
        assert widgets[f"ttd_{peran}"][0] == page
        assert widgets[f"ttd_{peran}"][1] == pytest.approx(box, abs=1)
    # The footer quotes UU ITE Pasal 5(1) and names BSrE, on every page, whole.
    pages = _text(unsigned, tmp_path).split("\f")[:-1]
    assert pages
    for page_text in pages:
        flat = " ".join(page_text.split())
        assert "Pasal 5 Ayat (1)" in flat
        assert "diterbitkan oleh BSrE." in flat
        assert "".join(page_text.split()).count(f"Kodeverifikasi:{doc.verification_code}") == 1
    other_text = " ".join(_text(_revision(app, other_id, 0), tmp_path).split())
    assert "Pasal 5" not in other_text
    assert "BSrE" not in other_text

    # BSrE adds a visible field after the seal, which a certification would forbid: approval seal.
    sealed = _revision(app, document_id, 1)
    assert not _certifies(sealed)
    with app.app_context():
        trust = get_services().trust()
    assert [s.certification for s in validate(sealed, trust).signatures] == [False]
    other_sealed = _revision(app, other_id, 1)
    assert _certifies(other_sealed)
    assert [s.certification for s in validate(other_sealed, trust).signatures] == [True]

    _sign(app, document_id, 1, passphrase="frasa-sandi-pegawai")
    _sign(app, document_id, 2, pin=outside.csc_pin("tsp/pejabat_penilai"))
    _sign(app, document_id, 3, passphrase="rahasia-atasan_pejabat_penilai")
    with app.app_context():
        assert document(app, document_id).status == "completed"
    final = _revision(app, document_id)
    _settle(app)  # the history sheet job of the completed document

    # BSrE's own widget lies exactly on the kept box of the atasan's signature block.
    signed_widgets = _sig_widgets(final)
    # (The seal and the archival timestamp are invisible: zero-size widgets.)
    made_by_bsre = {
        name: (on_page, rect)
        for name, (on_page, rect) in signed_widgets.items()
        if name not in FORM_FIELDS and rect[2] > rect[0]
    }
    assert len(made_by_bsre) == 1, signed_widgets
    ((bsre_field, (bsre_page, bsre_rect)),) = made_by_bsre.items()
    page, *box = kotak["atasan_pejabat_penilai"]
    assert bsre_page == page
    assert bsre_rect == pytest.approx(box, abs=0.01)
    # The boxes of the three signature blocks do not overlap on the page.
    ordered = sorted((kotak[p][1:] for p in kotak if kotak[p][0] == page), key=lambda b: b[0])
    assert all(a[2] <= b[0] or a[1] >= b[3] or b[1] >= a[3] for a, b in itertools.pairwise(ordered))

    report = validate(final, trust)
    assert report.ok, report.as_dict()
    assert report.pades_level == "B-LTA"
    by_field = {s.field_name: s for s in report.signatures}
    assert set(by_field) == {"segel", *FORM_FIELDS, bsre_field}
    assert by_field[bsre_field].signer_nip == PEOPLE["atasan_pejabat_penilai"].nik
    assert by_field["ttd_pegawai"].signer_nip == PEOPLE["pegawai"].nip
    assert by_field["ttd_pejabat_penilai"].signer_nip == PEOPLE["pejabat_penilai"].nip
    assert all(s.intact and s.valid and s.trusted for s in report.signatures)

    # The signed signature page, as a person sees it.
    path = tmp_path / "final.pdf"
    path.write_bytes(final)
    out = tmp_path / "ttd"
    number = str(page + 1)
    subprocess.run(
        ["pdftoppm", "-r", "80", "-png", "-f", number, "-l", number, "-singlefile", str(path), str(out)],
        check=True,
    )
    preview = out.with_suffix(".png")
    assert preview.stat().st_size > 10_000
    if os.environ.get("SKP_UPDATE_FORM_PREVIEWS"):
        PREVIEW.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(preview, PREVIEW)


def _glyph_height(pdf: bytes, word: str, tmp_path: Path) -> float:
    """How tall poppler finds ``word`` on page 1 (points): the printed size of the footer text."""
    path = tmp_path / "bbox.pdf"
    path.write_bytes(pdf)
    words = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-bbox", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(rf'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">{re.escape(word)}</word>', words)
    assert found, words[-2000:]
    return float(found.group(2)) - float(found.group(1))


def test_the_bsre_footer_is_printed_no_smaller_than_the_ordinary_one(tmp_path: Path) -> None:
    # The UU ITE statement is what a reader of the printed SKP must be able to read; in the same band
    # it should not shrink below the ordinary footer (measured: 3.8 pt against 5.3 pt glyphs, as the
    # longer lines are fitted into the same 330 pt wide stamp while the band is ~540 pt wide).
    pdf = sample_pdf(pages=1)
    _page, band = footer_band(pdf)
    heights = {}
    for penerbit in (None, "BSrE"):
        footed = add_footer_and_fields(
            pdf,
            url="http://localhost:5000/v/0123456789abcdef",
            code="0123456789abcdef",
            box=band,
            fields=[],
            penerbit=penerbit,
        )
        heights[penerbit] = _glyph_height(footed, "Verifikasi:", tmp_path)
    assert heights["BSrE"] >= 0.95 * heights[None], heights
