"""The content check against real LibreOffice: every example and form complete, a lost row caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.documents.converter import LibreOfficeConverter
from service.documents.integrity import allow_rows_to_split, content_missing, docx_texts, pdf_text
from service.documents.render import render_document
from tests.unit.documents.integrity_cases import CLIPPED, ROW, clipped_docx, lost_row, released_forms
from tests.unit.documents.support import EXAMPLES, FORM_EXAMPLES, PACKAGED, load, raw_example

pytestmark = pytest.mark.slow  # drives LibreOffice

EXAMPLE_NAMES = sorted(path.stem for path in EXAMPLES.glob("*.json"))


def converted(data: dict, converter: LibreOfficeConverter) -> tuple[bytes, bytes]:  # type: ignore[type-arg]
    payload, hasil = load(data)
    docx = render_document(payload, hasil, packaged_dir=PACKAGED, verification_code="ABC123")
    return docx, converter.convert(docx, timeout=120)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_example_converts_complete(name: str, converter: LibreOfficeConverter) -> None:
    docx, pdf = converted(raw_example(name), converter)
    assert docx_texts(docx).body, "nothing to check"
    assert content_missing(docx, pdf) == []


@pytest.mark.parametrize("form", sorted(FORM_EXAMPLES))
def test_every_form_variant_converts_complete(form: str, converter: LibreOfficeConverter) -> None:
    docx, pdf = converted(FORM_EXAMPLES[form](), converter)
    assert content_missing(docx, pdf) == []


def test_the_row_on_a_page_break_is_lost_caught_and_kept_by_the_fallback(
    converter: LibreOfficeConverter, tmp_path: Path
) -> None:
    found = lost_row(converter, released_forms(tmp_path))
    assert found is not None, "the row never fell on a page break: has LibreOffice stopped dropping it?"
    # The defect: the Word file has the row, the plain conversion does not.
    assert any(ROW in cell for unit in docx_texts(found.docx).body for cell in unit)
    assert ROW not in pdf_text(found.pdf)
    assert ROW in content_missing(found.docx, found.pdf)
    # The layout fallback: rows may split, and nothing is lost.
    fallback = allow_rows_to_split(found.docx)
    pdf = converter.convert(fallback, timeout=60)
    assert ROW in pdf_text(pdf)
    assert content_missing(fallback, pdf) == []


def test_text_clipped_by_an_exact_row_height_is_named_and_the_fallback_cannot_help(
    converter: LibreOfficeConverter, tmp_path: Path
) -> None:
    docx = clipped_docx()
    pdf = converter.convert(docx, timeout=60)
    (tmp_path / "clipped.pdf").write_bytes(pdf)
    expected = list(CLIPPED)
    assert content_missing(docx, pdf) == expected
    assert "Sesudah tabel" in pdf_text(pdf)
    fallback = allow_rows_to_split(docx)
    assert content_missing(fallback, converter.convert(fallback, timeout=60)) == expected
