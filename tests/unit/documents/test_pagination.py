"""Pagination against real LibreOffice: signatures kept with the content above them, group headers with
their first row, a BerAKHLAK aspect on one page, and no row lost doing so (issue 11, "Pagination").
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from service.documents.context.permenpanrb_6_2022 import ASPEK_BERAKHLAK
from service.documents.converter import LibreOfficeConverter
from service.documents.integrity import content_missing
from service.documents.render import render_document
from tests.unit.documents.support import EXAMPLES, PACKAGED, evaluasi_jpt, load, raw_example, skp_guru, words

pytestmark = pytest.mark.slow  # drives LibreOffice

CASES = {path.stem: (lambda stem=path.stem: raw_example(stem)) for path in sorted(EXAMPLES.glob("*.json"))}
CASES["permenpanrb_6_2022_evaluasi_jpt"] = evaluasi_jpt
CASES["pp46_2011_skp_guru"] = skp_guru

#: Rows that open a group of rows: never the last line of a page.
GROUP_HEADERS = {
    "A. UTAMA",
    "B. TAMBAHAN",
    "A. KINERJA UTAMA",
    "B. KINERJA TAMBAHAN",
    "HASIL KERJA",
    "PERILAKU KERJA",
    "II. TUGAS TAMBAHAN DAN KREATIVITAS/UNSUR PENUNJANG:",
}
MARKER = re.compile(r"\[\[ttd:\w+\]\]")
#: Lines of a signature block above its marker: the place-and-date line and the role.
ABOVE_MARKER = 2


def pages(pdf: Path) -> list[list[str]]:
    """Each page's non-blank lines (pdftotext -layout, one page at a time)."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))  # type: ignore[union-attr]
    texts = []
    for number in range(1, count + 1):
        args = ["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(pdf), "-"]
        out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
        texts.append([line.strip() for line in out.splitlines() if line.strip()])
    return texts


def running_headers(texts: list[list[str]]) -> set[str]:
    """A line that opens two or more pages is the page header ("RAHASIA"), not content."""
    firsts = [page[0] for page in texts if page]
    return {line for line in firsts if firsts.count(line) > 1}


def signatures_alone(texts: list[list[str]]) -> list[int]:
    """Pages whose content is signature blocks only: nothing above the first block's date and role."""
    headers = running_headers(texts)
    alone = []
    for number, page in enumerate(texts, start=1):
        lines = [line for line in page if line not in headers]
        first = next((i for i, line in enumerate(lines) if MARKER.search(line)), None)
        if first is not None and first <= ABOVE_MARKER:
            alone.append(number)
    return alone


def stranded_headers(texts: list[list[str]]) -> list[tuple[int, str]]:
    """Pages whose last line is a group header (its first cell: a header row may have more)."""
    return [
        (n, page[-1])
        for n, page in enumerate(texts, start=1)
        if page and re.split(r"\s{2,}", page[-1])[0] in GROUP_HEADERS
    ]


def split_aspects(pdf: Path, texts: list[list[str]]) -> list[tuple[str, list[int]]]:
    """BerAKHLAK aspects whose name and panduan lines are not all on one page."""
    plain = []
    for number in range(1, len(texts) + 1):
        args = ["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"]
        plain.append(words(subprocess.run(args, capture_output=True, text=True, check=True).stdout))
    split = []
    for _key, name, panduan in ASPEK_BERAKHLAK:
        # The first words of each panduan line (a line wraps in its cell, the start does not move).
        starts = ["- " + " ".join(line.split()[:4]) for line in panduan]
        found = [[n for n, page in enumerate(plain, start=1) if start in page] for start in starts]
        if not any(found):
            continue  # a form without the BerAKHLAK table
        on = sorted({n for hits in found for n in hits})
        if len(on) != 1 or not all(found):
            split.append((name, on))
    return split


def kegiatan_pp46(extra: int) -> dict[str, Any]:
    """The PP 46 Penilaian Capaian with ``extra`` kegiatan more: its signatures reach the page foot."""
    data = raw_example("pp46_2011_evaluasi")
    kegiatan = data["skp"]["kegiatan"]
    data["skp"]["kegiatan"] = [*kegiatan, *(kegiatan * 2)[:extra]]
    return data


def umpan_balik_6(sentences: int) -> dict[str, Any]:
    """The 6/2022 evaluasi with a longer umpan balik: every row below it moves down the pages."""
    data = raw_example("permenpanrb_6_2022_evaluasi")
    data["evaluasi"]["umpan_balik"] += " Pertahankan capaian." * sentences
    return data


#: Payloads whose signatures or BerAKHLAK rows fell on a page break before the rules: a signatures-only
#: page 2 (PP 46, from 4 extra kegiatan), a split aspect (6/2022, each length), a signatures-only page 4.
GROWN = {
    "pp46_2011_evaluasi+4": lambda: kegiatan_pp46(4),
    "pp46_2011_evaluasi+8": lambda: kegiatan_pp46(8),
    "permenpanrb_6_2022_evaluasi+24": lambda: umpan_balik_6(24),
    "permenpanrb_6_2022_evaluasi+64": lambda: umpan_balik_6(64),
    "permenpanrb_6_2022_evaluasi+80": lambda: umpan_balik_6(80),
    "permenpanrb_6_2022_evaluasi+96": lambda: umpan_balik_6(96),
}


def convert(data: dict[str, Any], converter: LibreOfficeConverter, pdf: Path) -> Path:
    payload, hasil = load(data)
    docx = render_document(payload, hasil, packaged_dir=PACKAGED, verification_code="ABC123")
    pdf.write_bytes(converter.convert(docx, timeout=120))
    # No rule may cost a row: the pipeline's content check passes on every case.
    assert content_missing(docx, pdf.read_bytes()) == [], pdf.stem
    return pdf


@pytest.fixture(scope="module")
def rendered(converter: LibreOfficeConverter, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pagination")
    return {name: convert(data(), converter, out / f"{name}.pdf") for name, data in CASES.items()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_page_holds_only_signatures(name: str, rendered: dict[str, Path]) -> None:
    assert signatures_alone(pages(rendered[name])) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_group_header_ends_a_page(name: str, rendered: dict[str, Path]) -> None:
    assert stranded_headers(pages(rendered[name])) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_berakhlak_aspect_splits_across_pages(name: str, rendered: dict[str, Path]) -> None:
    pdf = rendered[name]
    assert split_aspects(pdf, pages(pdf)) == []


@pytest.mark.parametrize("name", sorted(GROWN))
def test_a_longer_form_keeps_every_rule(name: str, converter: LibreOfficeConverter, tmp_path: Path) -> None:
    pdf = convert(GROWN[name](), converter, tmp_path / f"{name}.pdf")
    texts = pages(pdf)
    assert len(texts) > 1, "the case no longer reaches a page break"
    assert signatures_alone(texts) == []
    assert stranded_headers(texts) == []
    assert split_aspects(pdf, texts) == []


def test_the_checks_catch_what_the_old_layout_did() -> None:
    """The three checks on pages as the forms printed them before the rules (pdftotext lines)."""
    before = [
        ["EVALUASI KINERJA PEGAWAI", "HASIL KERJA", "A. UTAMA"],
        ["RAHASIA", "5 Loyal", "- Memegang teguh ideologi Pancasila, Undang-Undang Dasar Negara"],
        ["RAHASIA", "- Menjaga nama baik sesama ASN, Pimpinan, Instansi, dan Negara"],
        [
            "RAHASIA",
            "Surabaya, 7 Januari 2022",
            "Pejabat Penilai Kinerja",
            "[[ttd:pejabat_penilai]]",
            "NIP. 1",
        ],
    ]
    assert signatures_alone(before) == [4]
    assert stranded_headers(before) == [(1, "A. UTAMA")]
    assert stranded_headers([["PERILAKU KERJA     UMPAN BALIK BERKELANJUTAN"], ["HASIL KERJA X"]]) == [
        (1, "PERILAKU KERJA     UMPAN BALIK BERKELANJUTAN")
    ]
