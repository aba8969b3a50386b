"""Header and typography of the forms (issue 11): the rule under a title, labels on one line, every
column headed, no row the form does not have, acronyms as written.

Real LibreOffice through the warm pool; the layout is read back from the PDF (pdftotext, page images).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from service.documents.context import build_context
from service.documents.converter import LibreOfficeConverter
from service.documents.render import TEMPLATE_NAMES
from tests.unit.documents.support import (
    FORM_EXAMPLES,
    load,
    pdftotext,
    raw_example,
    reading_order,
    run,
    to_pdf,
    words,
)

UMPAN_BALIK_PERILAKU = "UMPAN BALIK BERKELANJUTAN BERDASARKAN BUKTI DUKUNG"
#: The label of the pangkat row as each form prints it (forms.md A1, C1, C3), case aside.
#: Forms without an identity table: the MIK (forms.md A4) and the PP 46 Penilaian Capaian (C2).
NO_IDENTITY_TABLE = {"permenpanrb_6_2022/manual_iku.docx", "pp46_2011/evaluasi.docx"}
PANGKAT = re.compile(r"pangkat\s*/\s*gol\.?\s*ruang", re.IGNORECASE)


def word_boxes(path: Path, page: int = 1) -> list[tuple[str, float, float]]:
    """(word, yMin, yMax) of each word of a page, in points from the top."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pattern = r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>'
    return [(text, float(y1), float(y2)) for y1, y2, text in re.findall(pattern, html)]


def dark_rows(path: Path, tmp_path: Path, top: float, bottom: float) -> list[float]:
    """Rows of page 1 (72 dpi, so a pixel is a point) between ``top`` and ``bottom`` that are dark
    across more than half the page width: a rule, not text.
    """
    out = tmp_path / "page"
    run("pdftoppm", "-png", "-r", "72", "-gray", "-f", "1", "-l", "1", "-singlefile", str(path), str(out))
    image = Image.open(tmp_path / "page.png").convert("L")
    width = image.width
    rows = []
    for y in range(int(top), int(bottom) + 1):
        dark = sum(1 for x in range(width) if image.getpixel((x, y)) < 128)  # type: ignore[operator]
        if dark > width / 2:
            rows.append(float(y))
    return rows


@pytest.mark.slow  # drives LibreOffice
def test_dokumen_evaluasi_draws_a_rule_under_its_title(
    converter: LibreOfficeConverter, tmp_path: Path
) -> None:
    """forms.md A6: "Horizontal rule under title [V:T3]", between the title and the header row."""
    path = to_pdf(raw_example("permenpanrb_6_2022_dokumen_penilaian"), converter, tmp_path / "dokumen.pdf")
    boxes = word_boxes(path)
    title_end = next(y2 for text, _, y2 in boxes if text.startswith("PERIODE*"))
    header_top = next(y1 for text, y1, _ in boxes if text == "PENILAIAN:")
    assert title_end < header_top
    assert dark_rows(path, tmp_path, title_end, header_top), "no rule between the title and the header row"


@pytest.mark.slow  # drives LibreOffice
@pytest.mark.parametrize("form", TEMPLATE_NAMES)
def test_pangkat_label_stays_on_one_line(form: str, converter: LibreOfficeConverter, tmp_path: Path) -> None:
    """Every identity table prints its pangkat label whole: no "PANGKAT/GOL" above a lone "RUANG"."""
    path = to_pdf(FORM_EXAMPLES[form](), converter, tmp_path / "form.pdf")
    lines = [
        line for line in pdftotext(path).splitlines() if re.search(r"\bpangkat\s*/", line, re.IGNORECASE)
    ]
    if form not in NO_IDENTITY_TABLE:
        assert lines, "no pangkat row"
    for line in lines:
        assert PANGKAT.search(line), f"pangkat label wraps: {line.strip()!r}"


@pytest.mark.slow  # drives LibreOffice
@pytest.mark.parametrize("form", ["permenpanrb_6_2022/evaluasi.docx", "permenpanrb_6_2022/evaluasi_jpt.docx"])
def test_evaluasi_perilaku_table_heads_its_umpan_balik_column(
    form: str, converter: LibreOfficeConverter, tmp_path: Path
) -> None:
    """forms.md A5, result row 2: the perilaku table's extra right column is headed."""
    path = to_pdf(FORM_EXAMPLES[form](), converter, tmp_path / "evaluasi.pdf")
    text = reading_order(path)
    perilaku = text[text.index("RATING HASIL KERJA*") : text.index("RATING PERILAKU KERJA*")]
    assert "PERILAKU KERJA" in perilaku
    assert UMPAN_BALIK_PERILAKU in perilaku
    assert (
        perilaku.index("PERILAKU KERJA")
        < perilaku.index(UMPAN_BALIK_PERILAKU)
        < perilaku.index("Berorientasi Pelayanan")
    )


@pytest.mark.slow  # drives LibreOffice
def test_pp46_guru_skp_has_no_subtitle(converter: LibreOfficeConverter, tmp_path: Path) -> None:
    """forms.md C4: the guru uses the same Formulir SKP (title C1, two lines); the AK total stays."""
    path = to_pdf(FORM_EXAMPLES["pp46_2011/skp_guru.docx"](), converter, tmp_path / "guru.pdf")
    text = reading_order(path)
    assert "JABATAN FUNGSIONAL DENGAN ANGKA KREDIT" not in text
    assert "FORMULIR SASARAN KERJA PEGAWAI NEGERI SIPIL" in text
    assert "JUMLAH ANGKA KREDIT" in text


@pytest.mark.parametrize(
    ("example", "written"), [("pp46_2011_evaluasi", "SOP"), ("pp46_2011_evaluasi_guru", "PKG")]
)
def test_output_keeps_its_acronym(example: str, written: str) -> None:
    """The kegiatan's output unit is free text: its acronym prints as sent, never title-cased."""
    payload, hasil = load(raw_example(example))
    printed = [
        k[side]["kuantitas"]
        for k in build_context(payload, hasil)["kegiatan"]
        for side in ("target", "realisasi")
    ]
    assert any(re.search(rf"\b{written}\b", cell) for cell in printed), printed
    assert not any(re.search(rf"\b{written.title()}\b", cell) for cell in printed), printed


@pytest.mark.slow  # drives LibreOffice
@pytest.mark.parametrize("sent", [True, False])
def test_evaluasi_general_umpan_balik_only_when_sent(
    sent: bool, converter: LibreOfficeConverter, tmp_path: Path
) -> None:
    """forms.md A5 has no general "UMPAN BALIK BERKELANJUTAN" row: without one in the payload the form
    has none (no row of "-"); one sent has no other place on the form, so it is printed, never lost.
    """
    data = raw_example("permenpanrb_6_2022_evaluasi_tahunan")
    umpan_balik = data["evaluasi"].pop("umpan_balik")
    if sent:
        data["evaluasi"]["umpan_balik"] = umpan_balik
    text = reading_order(to_pdf(data, converter, tmp_path / "evaluasi.pdf"))
    general = text.count("UMPAN BALIK BERKELANJUTAN") - text.count(UMPAN_BALIK_PERILAKU)
    assert general == (1 if sent else 0)
    assert (words(umpan_balik) in text) is sent


@pytest.mark.slow  # drives LibreOffice
def test_dokumen_evaluasi_prints_the_angka_kredit_sent(
    converter: LibreOfficeConverter, tmp_path: Path
) -> None:
    """The jenjang and the months a jabatan fungsional's payload sends reach the Dokumen Evaluasi too,
    as on the evaluasi: a KONVERSI ANGKA KREDIT row of the nilai alone left them out of the PDF.
    """
    data = raw_example("permenpanrb_6_2022_dokumen_penilaian")
    data["pegawai"]["jenis_jabatan"] = "fungsional"
    data["angka_kredit"] = {"jenjang": "ahli_muda", "bulan": 6}
    text = reading_order(to_pdf(data, converter, tmp_path / "dokumen.pdf"))
    assert "KONVERSI ANGKA KREDIT" in text
    assert "jenjang Ahli Muda" in text
    assert "6 bulan" in text
