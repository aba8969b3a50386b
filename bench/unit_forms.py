"""A unit's penetapan predikat kinerja at size (issue 15): 12, 100, 500 and 1,000 pegawai.

    .venv/bin/python bench/unit_forms.py [--repeat 3] [--sizes 12,100,500,1000] [--pages-png DIR]

Each size is the example payload (`examples/permenpanrb_6_2022_penetapan_predikat.json`) with its
pegawai repeated under new NIPs and names, and the ratings spread so the distribution is uneven. For
each, measured in the same run, median of ``--repeat``, by a warm one-process ``LibreOfficeConverter``
(one untimed conversion first):

- **validate+score**: the payload schema and the hasil (kuadran, distribution, pola);
- **fill**: the Word form filled by docxtpl, the kurva chart drawn;
- **convert**: Word → PDF/A-2b;
- **check**: the content check of the pipeline (every text of the Word file in the PDF, in order).

The floor printed beside them is the same path for the umpan balik bimbingan, a one-page form
without a list. ``--pages-png DIR`` writes page 1 and the first lampiran page of the 500-pegawai
PDF at 110 dpi (pdftoppm), to look at the chart and the list.
"""

from __future__ import annotations

import argparse
import copy
import io
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402

from service.documents.converter import LibreOfficeConverter  # noqa: E402
from service.documents.integrity import docx_texts, missing_texts, pdf_text  # noqa: E402
from service.documents.render import render_document  # noqa: E402
from service.schemas import load_payload  # noqa: E402
from service.scoring import score_payload  # noqa: E402

RATINGS = ("di_atas_ekspektasi", "sesuai_ekspektasi", "di_bawah_ekspektasi")


def unit_of(size: int) -> dict[str, Any]:
    """The example penetapan with ``size`` pegawai, each with a well-formed NIP of their own."""
    from tests.unit.documents.support import raw_example

    data = copy.deepcopy(raw_example("permenpanrb_6_2022_penetapan_predikat"))
    template = data["daftar_pegawai"]
    rows = []
    for index in range(size):
        base = template[index % len(template)]
        year, month, day = 1975 + index % 25, index % 12 + 1, index % 28 + 1
        tmt = f"{year + 24}{(index // 12) % 12 + 1:02d}"
        nip = f"{year}{month:02d}{day:02d}{tmt}{1 + index % 2}{index % 999 + 1:03d}"
        rows.append(
            {
                **base,
                "nama": f"{base['nama'].split(',')[0]} {index + 1}",
                "nip": nip,
                "golongan": ("III/a", "III/b", "III/c", "II/c", "IV/a")[
                    index % 5
                ],  # its pangkat printed beside it
                # Mostly "sesuai", some above and below: a distribution off the pola, with warnings.
                "rating_hasil_kerja": RATINGS[0 if index % 9 == 0 else 2 if index % 13 == 0 else 1],
                "rating_perilaku_kerja": RATINGS[0 if index % 7 == 0 else 2 if index % 17 == 0 else 1],
            }
        )
    data["daftar_pegawai"] = rows
    return data


def timed(repeat: int, work: Callable[[], object]) -> tuple[float, object]:
    """Median milliseconds of ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def measure(
    name: str, data: dict[str, Any], pool: LibreOfficeConverter, repeat: int
) -> tuple[bytes, tuple[float, float, float, float]]:
    from tests.unit.documents.support import PACKAGED

    def prepare() -> tuple[dict[str, Any], dict[str, Any]]:
        payload = load_payload(copy.deepcopy(data))
        return payload, score_payload(payload)

    score_ms, prepared = timed(repeat, prepare)
    assert isinstance(prepared, tuple)
    payload: dict[str, Any] = prepared[0]
    hasil: dict[str, Any] = prepared[1]
    fill_ms, docx = timed(repeat, lambda: render_document(payload, hasil, packaged_dir=PACKAGED))
    assert isinstance(docx, bytes)
    convert_ms, pdf = timed(repeat, lambda: pool.convert(docx, timeout=600))
    assert isinstance(pdf, bytes)
    reader = PdfReader(io.BytesIO(pdf))

    def check() -> list[str]:
        texts = docx_texts(docx)
        return missing_texts(texts.body, pdf_text(reader), anywhere=texts.elsewhere)

    check_ms, missing = timed(repeat, check)
    landscape = sum(1 for page in reader.pages if page.mediabox.width > page.mediabox.height)
    print(
        f"{name:34} {len(reader.pages):5} {landscape:5} {len(pdf) // 1024:6} {score_ms:9.1f} {fill_ms:8.1f}"
        f" {convert_ms:9.1f} {check_ms:8.1f}  {missing or 'none'}",
        flush=True,
    )
    return pdf, (score_ms, fill_ms, convert_ms, check_ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="12,100,500,1000")
    parser.add_argument("--pages-png", type=Path)
    args = parser.parse_args()
    from tests.unit.documents.support import raw_example

    sizes = [int(size) for size in args.sizes.split(",")]
    with (
        tempfile.TemporaryDirectory() as work,
        LibreOfficeConverter(processes=1, work_dir=Path(work)) as pool,
    ):
        from tests.unit.documents.support import PACKAGED

        floor_data = raw_example("permenpanrb_6_2022_umpan_balik_bimbingan")
        warm = load_payload(copy.deepcopy(floor_data))
        pool.convert(render_document(warm, score_payload(warm), packaged_dir=PACKAGED), timeout=300)
        print(
            f"{'document':34} {'pages':>5} {'lands':>5} {'KiB':>6} {'val+score':>9} {'fill':>8}"
            f" {'convert':>9} {'check':>8}  missing   (ms, median of {args.repeat})"
        )
        _, floor = measure("floor: umpan_balik_bimbingan", floor_data, pool, args.repeat)
        for size in sizes:
            pdf, figures = measure(f"penetapan_predikat, {size} pegawai", unit_of(size), pool, args.repeat)
            total, floor_total = sum(figures), sum(floor)
            ratio = total / floor_total
            print(f"{'':34} total {total:9.1f} ms = {ratio:5.1f} × the floor ({floor_total:.1f} ms)")
            if args.pages_png and size == 500:
                args.pages_png.mkdir(parents=True, exist_ok=True)
                source = Path(work) / "unit500.pdf"
                source.write_bytes(pdf)
                for page in (1, 2):
                    subprocess.run(
                        [
                            "pdftoppm",
                            "-png",
                            "-r",
                            "110",
                            "-f",
                            str(page),
                            "-l",
                            str(page),
                            "-singlefile",
                            str(source),
                            str(args.pages_png / f"penetapan_500__halaman_{page}"),
                        ],
                        check=True,
                    )


if __name__ == "__main__":
    main()
