"""PermenPANRB 6/2022 variants: the kualitatif SKP and evaluasi layouts, and the evaluasi's kurva distribusi.

Real LibreOffice through the warm pool. ``SKP_UPDATE_FORM_PREVIEWS=1`` refreshes the page images in
``docs/forms/`` (as ``test_forms.py`` does for one example per template).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from service.documents.context import build_context
from service.documents.converter import LibreOfficeConverter
from service.documents.kurva import judul_kurva
from tests.unit.documents.support import (
    ROOT,
    evaluasi_jpt,
    load,
    pdftotext,
    raw_example,
    reading_order,
    run,
    to_pdf,
    words,
)

PREVIEWS = ROOT / "docs" / "forms"
UKURAN = "Ukuran keberhasilan/Indikator Kinerja Individu, dan Target:"
UKURAN_JPT = "Ukuran keberhasilan/Indikator Kinerja Individu, Target, dan Perspektif:"


def skp_kualitatif() -> dict[str, Any]:
    return raw_example("permenpanrb_6_2022_skp_kualitatif")


def skp_jpt_kualitatif() -> dict[str, Any]:
    data = raw_example("permenpanrb_6_2022_skp_jpt")
    data["skp"]["pendekatan"] = "kualitatif"
    return data


def evaluasi_kualitatif() -> dict[str, Any]:
    data = raw_example("permenpanrb_6_2022_evaluasi_tahunan")
    data["skp"]["pendekatan"] = "kualitatif"
    return data


def evaluasi_jpt_kualitatif() -> dict[str, Any]:
    data = evaluasi_jpt()
    data["skp"]["pendekatan"] = "kualitatif"
    return data


KUALITATIF: dict[str, tuple[Callable[[], dict[str, Any]], str]] = {
    "skp": (skp_kualitatif, UKURAN),
    "skp_jpt": (skp_jpt_kualitatif, UKURAN_JPT),
    "evaluasi": (evaluasi_kualitatif, UKURAN),
    "evaluasi_jpt": (evaluasi_jpt_kualitatif, UKURAN_JPT),
}


def page_count(path: Path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(path))).group(1))  # type: ignore[union-attr]


def assert_pdfa(path: Path) -> None:
    """As ``test_forms.py`` checks it: PDF/A-2b identification, every font embedded."""
    meta = run("pdfinfo", "-meta", str(path))
    assert re.search(r"<pdfaid:part>2</pdfaid:part>", meta), "not PDF/A-2"
    assert re.search(r"<pdfaid:conformance>B</pdfaid:conformance>", meta)
    for line in run("pdffonts", str(path)).splitlines()[2:]:
        assert line.split()[-5] == "yes", f"font not embedded: {line}"


def preview(path: Path, name: str, tmp_path: Path) -> None:
    """The page-1 image ``test_forms.py`` makes (60 dpi PNG), copied to docs/forms/ when asked."""
    out = str(tmp_path / "page")
    run("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(path), out)
    image = tmp_path / "page.png"
    assert image.stat().st_size > 5_000
    if os.environ.get("SKP_UPDATE_FORM_PREVIEWS"):
        shutil.copy(image, PREVIEWS / f"{name}.png")


def test_kualitatif_context_gathers_each_rhk_with_its_ikis_and_targets() -> None:
    payload, hasil = load(skp_kualitatif())
    context = build_context(payload, hasil)
    assert context["pendekatan"] == "KUALITATIF"
    first = context["hasil_kerja_utama"][0]
    ukuran = str(first["ukuran"])
    for row in payload["skp"]["hasil_kerja"][:2]:
        assert f"- {row['iki']}; target {row['target']}" in ukuran
    assert len(context["hasil_kerja_utama"]) == 3
    assert len(context["hasil_kerja_tambahan"]) == 1


def test_realisasi_of_a_group_is_escaped_once() -> None:
    data = evaluasi_kualitatif()
    data["skp"]["hasil_kerja"][0]["realisasi"] = "Server & jaringan 99,7 %"
    payload, hasil = load(data)
    realisasi = str(build_context(payload, hasil)["hasil_kerja_utama"][0]["realisasi"])
    assert "Server &amp; jaringan" in realisasi
    assert "&amp;amp;" not in realisasi


@pytest.mark.slow  # drives LibreOffice
@pytest.mark.parametrize("variant", sorted(KUALITATIF))
def test_kualitatif_prints_the_kualitatif_rows(
    variant: str, converter: LibreOfficeConverter, tmp_path: Path
) -> None:
    make, ukuran = KUALITATIF[variant]
    data = make()
    path = to_pdf(data, converter, tmp_path / "form.pdf")
    assert_pdfa(path)
    text = reading_order(path)
    assert "PENDEKATAN HASIL KERJA KUALITATIF" in text
    # forms.md A1/A2: per RHK its ukuran keberhasilan, once per RHK, with every IKI and target.
    rhks = list(dict.fromkeys(row["rencana_hasil_kerja"] for row in data["skp"]["hasil_kerja"]))
    assert text.count(ukuran) == len(rhks)
    for row in data["skp"]["hasil_kerja"]:
        assert words(row["rencana_hasil_kerja"]) in text
        assert words(f"{row['iki']}; target {row['target']}") in text
    # Not the kuantitatif grid: no ASPEK column, no numbered column row.
    assert "ASPEK" not in text
    assert "(1) (2) (3)" not in text
    # No blank page (the lampiran's page break once fell on a page of its own after a full page).
    pages = page_count(path)
    blank = [p for p in range(1, pages + 1) if not pdftotext(path, first=p, last=p).split()]
    assert not blank, f"blank pages {blank} of {pages}"
    if variant.startswith("evaluasi"):
        assert "REALISASI BERDASARKAN BUKTI DUKUNG" in text
        assert "RATING HASIL KERJA*" in text
    if variant == "skp":
        print(f"{variant}: {pages} pages")
        preview(path, "permenpanrb_6_2022__skp_kualitatif", tmp_path)


@pytest.mark.slow  # drives LibreOffice
def test_evaluasi_carries_the_kurva_as_an_image_under_its_title(
    converter: LibreOfficeConverter, tmp_path: Path
) -> None:
    data = raw_example("permenpanrb_6_2022_evaluasi_tahunan")
    path = to_pdf(data, converter, tmp_path / "evaluasi.pdf")
    assert_pdfa(path)
    title = judul_kurva(data["evaluasi"]["capaian_organisasi"])
    pages = [p for p in range(1, page_count(path) + 1) if title in words(pdftotext(path, first=p, last=p))]
    assert len(pages) == 1, "the kurva's title is printed once"
    assert "Kurva distribusi predikat kinerja pegawai dengan" not in words(pdftotext(path))
    # pdfimages -list: page num type width height color comp bpc enc interp object ID ... ; the chart is
    # an RGB image on the title's page, and no soft mask (smask) rides along with it.
    rows = [line.split() for line in run("pdfimages", "-list", str(path)).splitlines()[2:]]
    images = [row for row in rows if row[2] == "image"]
    assert [int(row[0]) for row in images if int(row[3]) >= 1000] == pages
    assert all(row[5] == "rgb" for row in images if int(row[3]) >= 1000)
    assert not [row for row in rows if row[2] == "smask"]
    # PDF/A-2b allows a DeviceRGB image under an sRGB output intent, which LibreOffice writes.
    reader = PdfReader(path)
    intents = [intent.get_object() for intent in reader.trailer["/Root"]["/OutputIntents"]]
    assert [(i["/S"], i["/OutputConditionIdentifier"]) for i in intents] == [
        ("/GTS_PDFA1", "sRGB IEC61966-2.1")
    ]
    charts = [
        image.get_object()
        for image in reader.pages[pages[0] - 1]["/Resources"]["/XObject"].values()
        if image.get_object()["/Subtype"] == "/Image" and image.get_object()["/Width"] >= 1000
    ]
    assert len(charts) == 1
    assert charts[0]["/ColorSpace"] == "/DeviceRGB"
    assert "/SMask" not in charts[0]
    print(f"evaluasi: {page_count(path)} pages, kurva on page {pages[0]}")
    # Its page image is test_forms.py's preview of this template (the same example, page 1).
    assert pages == [1]
