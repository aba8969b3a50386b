"""The PermenPANRB 8/2021 column sets (forms.md B1/B2): JA/JF model dasar, JPT, JA/JF model pengembangan.

Each variant renders from its example through real LibreOffice; its column heads are found verbatim in
the PDF's text, and the penilaian prints the capaian of every rencana kinerja the scoring module gives.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from service.documents.context import angka, build_context
from service.documents.converter import LibreOfficeConverter
from service.documents.render import render_document, template_name
from tests.unit.documents.support import PACKAGED, ROOT, load, raw_example, run

#: Page images of the JA/JF penilaian beyond page 1, which test_forms.py saves (both with
#: ``SKP_UPDATE_FORM_PREVIEWS=1``, same 60 dpi).
PREVIEWS = ROOT / "docs" / "forms"
ALL_PAGES = {"permenpanrb_8_2021/evaluasi.docx"}

RK_ATASAN = "RENCANA KINERJA ATASAN LANGSUNG/UNIT KERJA"
RK_ATASAN_PENGEMBANGAN = "RENCANA KINERJA ATASAN LANGSUNG/ UNIT KERJA/ ORGANISASI"
IKI = "INDIKATOR KINERJA INDIVIDU"
STANDAR = "TARGET/ KATEGORI PENILAIAN/ STANDAR KINERJA"
LEVELS = ["SANGAT KURANG", "KURANG", "CUKUP", "BAIK", "SANGAT BAIK"]
NILAI_AKHIR = (
    "NILAI AKHIR SKP = Nilai tertimbang Capaian Rencana Kinerja Utama*** + "
    "Nilai tertimbang Capaian Rencana Kinerja Tambahan"
)
CAPAIAN_RK = "CAPAIAN RENCANA KINERJA"

#: example → (template, column heads in the form's order, numbered columns). Two-row heads read row by
#: row: the sub-heads (standar kinerja levels, KATEGORI | NILAI) follow the whole first row.
VARIANTS: dict[str, tuple[str, list[str], int]] = {
    "permenpanrb_8_2021_skp": (
        "permenpanrb_8_2021/skp.docx",
        ["NO", RK_ATASAN, "RENCANA KINERJA", "ASPEK", IKI, "TARGET"],
        6,
    ),
    "permenpanrb_8_2021_skp_jpt": (
        "permenpanrb_8_2021/skp_jpt.docx",
        ["PERSPEKTIF *", "NO", "RENCANA KINERJA", IKI, "TARGET"],
        5,
    ),
    "permenpanrb_8_2021_skp_pengembangan": (
        "permenpanrb_8_2021/skp_pengembangan.docx",
        ["NO", RK_ATASAN_PENGEMBANGAN, "RENCANA KINERJA", "ASPEK", IKI, STANDAR, *LEVELS],
        10,
    ),
    "permenpanrb_8_2021_evaluasi": (
        "permenpanrb_8_2021/evaluasi.docx",
        [
            "NO",
            RK_ATASAN,
            "RENCANA KINERJA",
            "ASPEK",
            IKI,
            "TARGET",
            "REALISASI",
            "CAPAIAN IKI (DALAM %)",
            "KATEGORI CAPAIAN IKI",
            CAPAIAN_RK,
            "NILAI TERTIMBANG",
            "KATEGORI",
            "NILAI",
            "NILAI KINERJA UTAMA",
            "NILAI KINERJA TAMBAHAN",
            NILAI_AKHIR,
            "KETERANGAN",
        ],
        12,
    ),
    "permenpanrb_8_2021_evaluasi_jpt": (
        "permenpanrb_8_2021/evaluasi_jpt.docx",
        [
            "PERSPEKTIF *",
            "NO",
            "RENCANA KINERJA",
            IKI,
            "TARGET",
            "REALISASI",
            "CAPAIAN IKI",
            "KATEGORI CAPAIAN IKI",
            "NILAI CAPAIAN IKI",
            "NILAI TERTIMBANG",
            NILAI_AKHIR,
            "KETERANGAN",
        ],
        10,
    ),
    "permenpanrb_8_2021_evaluasi_pengembangan": (
        "permenpanrb_8_2021/evaluasi_pengembangan.docx",
        [
            "PENILAIAN SKP PEJABAT FUNGSIONAL",
            "NO",
            RK_ATASAN_PENGEMBANGAN,
            "RENCANA KINERJA",
            "ASPEK",
            IKI,
            STANDAR,
            "REALISASI",
            "CAPAIAN IKI",
            "KATEGORI CAPAIAN IKI",
            CAPAIAN_RK,
            "NILAI TERTIMBANG",
            *LEVELS,
            "KATEGORI",
            "NILAI",
            "NILAI AKHIR SKP",
            "KETERANGAN PEJABAT PENILAI (Opsional)",
        ],
        16,
    ),
}


def squeezed(text: str) -> str:
    """No whitespace at all: a head that wraps inside its cell ("LANGSUNG/" | "UNIT") still matches."""
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: Path) -> str:
    # -raw keeps LibreOffice's order, cell after cell, so a wrapped head stays in one piece.
    return subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def in_order(needles: list[str], haystack: str) -> None:
    position = 0
    for needle in needles:
        found = haystack.find(squeezed(needle), position)
        assert found >= 0, f"{needle!r} missing (or out of order)"
        position = found + len(squeezed(needle))


@pytest.mark.parametrize("name", list(VARIANTS))
def test_the_payload_selects_the_variant(name: str) -> None:
    payload, _ = load(raw_example(name))
    assert template_name(payload) == VARIANTS[name][0]


def test_penilaian_context_carries_the_capaian_of_each_rencana_kinerja() -> None:
    payload, hasil = load(raw_example("permenpanrb_8_2021_evaluasi"))
    context = build_context(payload, hasil)
    groups = context["kinerja_utama"]
    assert len(groups) == len(hasil["rencana_kinerja"]) == 4
    for group, rencana in zip(groups, hasil["rencana_kinerja"], strict=True):
        assert group["capaian_kategori"] == rencana["kategori_label"]
        assert group["capaian_nilai"] == angka(rencana["nilai"])
        assert group["capaian_tertimbang"] == angka(rencana["nilai_tertimbang"])
    # The first rencana kinerja has two IKIs (kuantitas 100 % → 109, kualitas 98 % → 88): 98,50 Baik.
    assert [b["aspek"] for b in groups[0]["baris"]] == ["Kuantitas", "Kualitas"]
    assert (groups[0]["capaian_kategori"], groups[0]["capaian_nilai"]) == ("Baik", "98,50")
    assert groups[0]["rencana_kinerja_atasan"].startswith("Meningkatnya layanan publik")
    assert context["skp_8_2021"]["keterangan"].startswith("Dokumentasi sistem")


def test_a_plan_has_no_capaian_and_the_standar_levels() -> None:
    payload, hasil = load(raw_example("permenpanrb_8_2021_skp_pengembangan"))
    context = build_context(payload, hasil)
    first = context["kinerja_utama"][0]
    assert first["capaian_nilai"] == "-"
    assert first["baris"][0]["standar"]["baik"] == "4 modul"
    # A level the IKI does not state prints "-".
    assert first["baris"][1]["standar"]["sangat_kurang"] == "-"
    assert context["skp_8_2021"]["pengembangan"] is True


@pytest.mark.slow  # drives LibreOffice
@pytest.mark.parametrize("name", list(VARIANTS))
def test_variant_renders_with_its_columns(
    name: str, converter: LibreOfficeConverter, tmp_path: Path, record_property: Any
) -> None:
    template, heads, numbered = VARIANTS[name]
    payload, hasil = load(raw_example(name))
    docx = render_document(payload, hasil, packaged_dir=PACKAGED, verification_code="ABC123")
    path = tmp_path / "form.pdf"
    path.write_bytes(converter.convert(docx, timeout=60))
    text = squeezed(pdf_text(path))

    in_order(heads, text)
    in_order([f"({i})" for i in range(1, numbered + 1)], text)
    in_order(["A. KINERJA UTAMA", "B. KINERJA TAMBAHAN"], text)
    for item in payload["skp"]["kinerja_utama"]:
        assert squeezed(item["iki"]) in text
    if payload["type"] == "evaluasi":
        if template.endswith("_jpt.docx"):  # R8a: kategori and nilai per IKI
            cells = [squeezed(i["kategori_label"]) + angka(i["nilai"]) for i in hasil["iki"]]
        else:  # "Capaian Rencana Kinerja: Kategori | Nilai", then its nilai tertimbang
            cells = [
                squeezed(r["kategori_label"]) + angka(r["nilai"]) + angka(r["nilai_tertimbang"])
                for r in hasil["rencana_kinerja"]
            ]
        in_order(cells, text)
        assert squeezed(payload["evaluasi"]["keterangan"]) in text
        assert angka(hasil["nilai_skp"]) in text
    pages = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(path))).group(1))  # type: ignore[union-attr]
    record_property("pages", pages)
    if os.environ.get("SKP_UPDATE_FORM_PREVIEWS") and template in ALL_PAGES:
        stem = template.removesuffix(".docx").replace("/", "__")
        for page in range(2, pages + 1):
            out = tmp_path / f"page{page}"
            run(
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(path),
                str(out),
            )
            shutil.copy(out.with_suffix(".png"), PREVIEWS / f"{stem}__halaman_{page}.png")
    print(f"{template}: {pages} pages")  # page counts, seen with -s
