"""Every form renders from its example payload into a PDF/A-2b a person would accept.

Set ``SKP_UPDATE_FORM_PREVIEWS=1`` to refresh the page-1 previews in ``docs/forms/``.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from service.documents.context import angka
from service.documents.converter import LibreOfficeConverter
from service.documents.placement import FOOTER_BAND_MM, locate_markers
from service.documents.render import TEMPLATE_NAMES, render_document, template_name
from service.scoring.penandatangan import penandatangan
from service.scoring.vocabulary import PERSON_TYPES, SIGNING_ORDER
from tests.unit.documents.support import FORM_EXAMPLES, PACKAGED, ROOT, load, pdftotext, run, words

PREVIEWS = ROOT / "docs" / "forms"
#: PP 46 Formulir SKP and Penilaian Capaian (forms.md C1, C2): no identity of the atasan, who does not sign.
NO_PLACE_FOR_ATASAN = {("pp46_2011", "skp"), ("pp46_2011", "evaluasi")}


def unit_values(payload: dict[str, Any], hasil: dict[str, Any]) -> list[str]:
    """What a unit or coaching form must print of its hasil: the capaian and each pegawai's
    predikat (in the lampiran) of a penetapan, each nilai of a peringkat; nothing of a record.
    """
    if payload["type"] == "penetapan_predikat":
        return [hasil["capaian_organisasi_label"].upper(), *(p["predikat_label"] for p in hasil["pegawai"])]
    if payload["type"] == "peringkat":
        return [angka(row["nilai"]) for row in hasil["peringkat"]]
    return []


def scored_values(payload: dict[str, Any], hasil: dict[str, Any]) -> list[str]:
    """The scored values the form must print, as printed."""
    regime, kind = payload["regime"], payload["type"]
    if kind in ("skp", "manual_iku"):
        guru = regime == "pp46_2011" and template_name(payload).endswith("_guru.docx")
        return [angka(hasil["jumlah_angka_kredit"], 3)] if guru else []
    if regime == "permenpanrb_6_2022":
        predikat = {"kurang_misconduct": "KURANG"}.get(hasil["predikat"], hasil["predikat_label"].upper())
        if kind == "dokumen_penilaian":  # the form shows capaian organisasi and predikat only
            return [predikat, hasil["capaian_organisasi_label"].upper()]
        return [
            predikat,
            hasil["rating_hasil_kerja_label"].upper(),
            hasil["rating_perilaku_kerja_label"].upper(),
        ]
    if regime == "permenpanrb_8_2021":
        return [
            angka(hasil["nilai_skp"]),
            angka(hasil["nilai_perilaku"]),
            angka(hasil["nilai_kinerja"]),
            hasil["predikat_label"].upper(),
        ]
    if kind == "dokumen_penilaian":  # the booklet: SKP × 60 % + perilaku × 40 %
        return [
            angka(hasil["nilai_skp"]),
            angka(hasil["perilaku_kerja"]["rata_rata"]),
            angka(hasil["nilai_prestasi_kerja"]),
            f"({hasil['sebutan_label']})",
        ]
    return [angka(hasil["nilai_skp"]), f"({hasil['sebutan_skp_label']})"]


def test_every_template_has_an_example() -> None:
    assert sorted(FORM_EXAMPLES) == sorted(TEMPLATE_NAMES)


@pytest.mark.slow  # drives LibreOffice
@pytest.mark.parametrize("form", TEMPLATE_NAMES)
def test_form_renders_to_pdfa(form: str, converter: LibreOfficeConverter, tmp_path: Path) -> None:
    payload, hasil = load(FORM_EXAMPLES[form]())
    assert template_name(payload) == form
    docx = render_document(payload, hasil, packaged_dir=PACKAGED, verification_code="ABC123")
    pdf = converter.convert(docx, timeout=60)
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)

    meta = run("pdfinfo", "-meta", str(path))
    assert re.search(r"<pdfaid:part>2</pdfaid:part>", meta), "not PDF/A-2"
    assert re.search(r"<pdfaid:conformance>B</pdfaid:conformance>", meta)
    fonts = run("pdffonts", str(path)).splitlines()[2:]
    assert fonts, "no fonts"
    for line in fonts:
        assert line.split()[-5] == "yes", f"font not embedded: {line}"

    text = words(pdftotext(path))
    # The PDF is titled as the form is, not with one name for every form.
    title = re.search(r"^Title:\s+(.+)$", run("pdfinfo", str(path)), re.MULTILINE)
    assert title is not None
    assert title.group(1).strip() != "Formulir SKP"
    assert words(title.group(1)) in text
    people = [role for role in SIGNING_ORDER if isinstance(payload.get(role), dict)]
    signers = penandatangan(payload["regime"], payload["type"], given=people)
    for listed in payload.get("daftar_pegawai", []):  # a unit document lists every pegawai
        assert listed["nama"] in text
        assert listed["nip"] in text
    for role in people:
        if role not in signers and (payload["regime"], payload["type"]) in NO_PLACE_FOR_ATASAN:
            continue  # kept in the payload; the form has no place for the atasan who does not sign
        assert payload[role]["nama"] in text, role
        assert payload[role]["nip"] in text, role
    scored = scored_values if payload["type"] in PERSON_TYPES else unit_values
    for value in scored(payload, hasil):
        assert value in text, value

    # A signing block (marker) for exactly the form's signers; the others are printed, not signing.
    markers = locate_markers(pdf)
    assert set(markers) == set(signers)
    pages = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(path))).group(1))  # type: ignore[union-attr]
    band = FOOTER_BAND_MM * 72 / 25.4
    for role, (page, (x1, y1, x2, y2)) in markers.items():
        assert 0 <= page < pages, role
        assert x2 - x1 == pytest.approx(180)
        assert y2 - y1 == pytest.approx(60)
        assert x1 >= 0
        assert y1 > band, f"{role} box reaches into the reserved footer band"

    page = str(tmp_path / "page")
    run("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(path), page)
    preview = tmp_path / "page.png"
    assert preview.stat().st_size > 5_000
    if os.environ.get("SKP_UPDATE_FORM_PREVIEWS"):
        PREVIEWS.mkdir(parents=True, exist_ok=True)
        shutil.copy(preview, PREVIEWS / (form.removesuffix(".docx").replace("/", "__") + ".png"))


@pytest.mark.slow  # drives LibreOffice
def test_300_row_skp_repeats_the_header(converter: LibreOfficeConverter, tmp_path: Path) -> None:
    data = FORM_EXAMPLES["pp46_2011/skp.docx"]()
    first = data["skp"]["kegiatan"][0]
    data["skp"]["kegiatan"] = [
        dict(first, uraian=f"Kegiatan nomor {i:03d} {first['uraian']}") for i in range(300)
    ]
    payload, hasil = load(data)
    docx = render_document(payload, hasil, packaged_dir=PACKAGED)
    path = tmp_path / "long.pdf"
    path.write_bytes(converter.convert(docx, timeout=120))
    pages = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(path))).group(1))  # type: ignore[union-attr]
    assert pages >= 5
    for page in range(1, pages + 1):
        text = words(pdftotext(path, first=page, last=page))
        if "Kegiatan nomor" in text:
            assert "III. KEGIATAN TUGAS JABATAN" in text, f"page {page} lacks the header row"
    everything = words(pdftotext(path))
    assert "Kegiatan nomor 000" in everything
    assert "Kegiatan nomor 299" in everything
    assert set(locate_markers(path.read_bytes())) >= {"pegawai", "pejabat_penilai"}
