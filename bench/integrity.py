"""The cost of the content check per document, beside the conversion it follows (issue 11).

    .venv/bin/python bench/integrity.py [--repeat 5]

Each example of ``examples/`` and two long SKPs (300 and 1,000 kegiatan) is filled, then converted
by a warm one-process ``LibreOfficeConverter`` (one untimed conversion first). For each document,
measured in the same run, median of ``--repeat``:

- **convert**: the conversion, Word → PDF/A-2b (the floor the check is added to);
- **check**: what the pipeline adds: the Word file's texts, the PDF's text with pypdf from the
  reader the pipeline has parsed anyway (for the signature markers), and the in-order comparison;
- **check+parse**: the same with the PDF parsed for it (the cost were the reader not shared);
- **pdftotext**: the same check with poppler's ``pdftotext -raw`` (a process per document) in
  place of pypdf, and whether both find the same texts missing.

Prints one line per document (pages, missing texts, the figures in ms) and the medians over all.
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


def cases() -> list[tuple[str, dict[str, Any]]]:
    from tests.unit.documents.support import EXAMPLES, raw_example

    found = [(path.stem, raw_example(path.stem)) for path in sorted(EXAMPLES.glob("*.json"))]
    for rows in (300, 1000):
        data = copy.deepcopy(raw_example("pp46_2011_skp"))
        first = data["skp"]["kegiatan"][0]
        data["skp"]["kegiatan"] = [
            {**first, "uraian": f"{first['uraian']} (berkas {i + 1})"} for i in range(rows)
        ]
        found.append((f"pp46_2011_skp ({rows} kegiatan)", data))
    return found


def timed(repeat: int, work: Callable[[], object]) -> tuple[float, object]:
    """Median milliseconds of ``repeat`` runs, and the last result."""
    times = []
    result: object = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def poppler_text(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        return subprocess.run(
            ["pdftotext", "-raw", "-enc", "UTF-8", file.name, "-"], capture_output=True, check=True
        ).stdout.decode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from tests.unit.documents.support import PACKAGED, load

    rows: list[tuple[float, float, float, float]] = []
    with (
        tempfile.TemporaryDirectory() as work,
        LibreOfficeConverter(processes=1, work_dir=Path(work)) as pool,
    ):
        documents = [(name, render_document(*load(data), packaged_dir=PACKAGED)) for name, data in cases()]
        pool.convert(documents[0][1], timeout=300)  # warm-up, not timed
        head = f"{'document':45} {'pages':>5} {'convert':>9} {'check':>7} {'+parse':>7} {'pdftotext':>9}"
        print(f"{head}  missing")
        for name, docx in documents:
            convert_ms, pdf = timed(args.repeat, lambda docx=docx: pool.convert(docx, timeout=300))
            assert isinstance(pdf, bytes)
            reader = PdfReader(io.BytesIO(pdf))

            def check(reader: PdfReader = reader, docx: bytes = docx) -> list[str]:
                texts = docx_texts(docx)
                return missing_texts(texts.body, pdf_text(reader), anywhere=texts.elsewhere)

            def check_parsed(pdf: bytes = pdf, docx: bytes = docx) -> list[str]:
                texts = docx_texts(docx)
                return missing_texts(texts.body, pdf_text(pdf), anywhere=texts.elsewhere)

            def check_poppler(pdf: bytes = pdf, docx: bytes = docx) -> list[str]:
                texts = docx_texts(docx)
                return missing_texts(texts.body, poppler_text(pdf), anywhere=texts.elsewhere)

            check_ms, missing = timed(args.repeat, check)
            parsed_ms, _ = timed(args.repeat, check_parsed)
            poppler_ms, poppler_missing = timed(args.repeat, check_poppler)
            same = "" if poppler_missing == missing else f"  (pdftotext: {poppler_missing})"
            print(
                f"{name:45} {len(reader.pages):5} {convert_ms:9.1f} {check_ms:7.1f} {parsed_ms:7.1f}"
                f" {poppler_ms:9.1f}  {missing or 'none'}{same}",
                flush=True,
            )
            rows.append((convert_ms, check_ms, parsed_ms, poppler_ms))
    medians = [statistics.median(column) for column in zip(*rows, strict=True)]
    convert_ms, check_ms, parsed_ms, poppler_ms = medians
    print(
        f"{'median over all':45} {'':5} {convert_ms:9.1f} {check_ms:7.1f} {parsed_ms:7.1f} {poppler_ms:9.1f}"
    )
    print(
        f"check / convert: {100 * check_ms / convert_ms:.1f} % (pypdf, reader shared), "
        f"{100 * poppler_ms / convert_ms:.1f} % (pdftotext)"
    )


if __name__ == "__main__":
    main()
