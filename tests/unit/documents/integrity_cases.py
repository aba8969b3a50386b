"""Documents whose conversion loses text, for the content check's tests.

The Triwulan II evaluasi of ``examples/`` with its "RATING HASIL KERJA*" row on a page break.

Issue 11: LibreOffice drops a table row that may not split (``w:cantSplit``) when it falls exactly
on a page break. The example payload showed it as written; where the row falls moves with every
change of the form's layout (the form being reworked since no longer puts it there), so the
reproduction uses the form as released in f61d1e7 (``fixtures/evaluasi_6_2022_f61d1e7.docx``, given
as the instance's own form, the way an agency overrides one) and puts the row on the break by
lengthening the last realisasi one word at a time until the plain conversion loses the row.
"""

from __future__ import annotations

import copy
import io
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document as WordDocument
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.shared import Pt

from service.documents.converter import LibreOfficeConverter
from service.documents.integrity import content_missing
from service.documents.render import render_document
from tests.unit.documents.support import PACKAGED, load, raw_example

EXAMPLE = "permenpanrb_6_2022_evaluasi"
ROW = "RATING HASIL KERJA*"
RELEASED_FORM = Path(__file__).resolve().with_name("fixtures") / "evaluasi_6_2022_f61d1e7.docx"


@dataclass(frozen=True)
class LostRow:
    """A payload whose plain conversion loses :data:`ROW`, with that conversion."""

    data: dict[str, Any]
    words: int
    docx: bytes
    pdf: bytes


def released_forms(directory: Path) -> Path:
    """``directory`` made an instance template folder holding the evaluasi form of f61d1e7."""
    target = directory / "permenpanrb_6_2022" / "evaluasi.docx"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(RELEASED_FORM, target)
    return directory


def lengthened(words: int) -> dict[str, Any]:
    """The example, with ``words`` more words in the realisasi of its last hasil kerja (-1: as written)."""
    data = copy.deepcopy(raw_example(EXAMPLE))
    if words >= 0:
        data["skp"]["hasil_kerja"][-1]["realisasi"] += " (bukti dukung)" + " terlampir" * words
    return data


def lost_row(converter: LibreOfficeConverter, instance_dir: Path, *, most: int = 40) -> LostRow | None:
    """The first payload (as written, then lengthened by up to ``most`` words) whose plain
    conversion with the forms of ``instance_dir`` loses the row, if any.
    """
    for words in range(-1, most + 1):
        data = lengthened(words)
        payload, hasil = load(data)
        docx = render_document(
            payload, hasil, packaged_dir=PACKAGED, instance_dir=instance_dir, verification_code="ABC123"
        )
        pdf = converter.convert(docx, timeout=60)
        if ROW in content_missing(docx, pdf):
            return LostRow(data=data, words=words, docx=docx, pdf=pdf)
    return None


#: The paragraphs :func:`clipped_docx` has that LibreOffice does not print.
CLIPPED = ("Rekomendasi kedua yang terpotong", "Rekomendasi ketiga yang terpotong")


def clipped_docx() -> bytes:
    """A Word file (no template code) whose row has an exact height too small for its paragraphs."""
    document = WordDocument()
    document.add_paragraph("Sebelum tabel")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Uraian"
    table.cell(0, 1).text = "Rekomendasi"
    table.cell(1, 0).text = "Pengembangan kompetensi"
    cell = table.cell(1, 1)
    cell.text = "Rekomendasi pertama"
    for text in CLIPPED:
        cell.add_paragraph(text)
    table.rows[1].height = Pt(14)
    table.rows[1].height_rule = WD_ROW_HEIGHT_RULE.EXACTLY
    document.add_paragraph("Sesudah tabel")
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()
