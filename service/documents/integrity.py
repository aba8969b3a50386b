"""Content integrity: every text of the filled Word form must be in the converted PDF, in order.

LibreOffice can lose content without an error: a table row that may not split (``w:cantSplit``) and
falls exactly on a page break is dropped (issue 11, the 6/2022 evaluasi of Triwulan II lost "RATING
HASIL KERJA*"). The render pipeline therefore reads the texts back: each paragraph of the body and
each table row must occur in the PDF's text after the one before it (within a row the cells may
interleave, each cell's paragraphs in their order: LibreOffice writes a row line by line across its
cells); the texts of headers, footers and text boxes, which LibreOffice paints elsewhere or on every
page, must occur somewhere. The PDF's text comes from pypdf (the pipeline's reader is reused), and a
failed check's layout fallback is :func:`allow_rows_to_split`.

The comparison (:func:`normalise`, :func:`missing_texts`) is pure and works on strings. What
LibreOffice does to text is normalised away on both sides:

- whitespace of any kind (line and page breaks, tabs, non-breaking spaces) is not compared at all, so
  a text is found whatever its line breaks;
- hyphens and dashes are not compared either: soft hyphens (U+00AD) print as "-" where a line breaks
  there and vanish elsewhere, and automatic hyphenation adds "-" at a line end;
- NFKC folds ligatures (ﬁ → fi) and compatibility forms, and case is folded (``w:caps`` prints
  lower-case text in capitals);
- field codes (page numbers, dates, references) and their results differ between Word and the PDF
  and are not checked; hidden text (``w:vanish``) and deleted text are not printed and not checked;
  ``w:sym`` characters map to symbol fonts and are not checked.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from pypdf import PdfReader

__all__ = [
    "DocxTexts",
    "Unit",
    "allow_rows_to_split",
    "content_missing",
    "docx_texts",
    "missing_texts",
    "normalise",
    "pdf_text",
]

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_TAG_P = f"{{{_W}}}p"
_TAG_R = f"{{{_W}}}r"
_TAG_T = f"{{{_W}}}t"
_TAG_FLDCHAR = f"{{{_W}}}fldChar"
_TAG_FLDSIMPLE = f"{{{_W}}}fldSimple"
_TAG_TXBX = f"{{{_W}}}txbxContent"
_TAG_TBL = f"{{{_W}}}tbl"
_TAG_TR = f"{{{_W}}}tr"
_TAG_TC = f"{{{_W}}}tc"
_WRAPPERS = {f"{{{_W}}}{name}" for name in ("sdt", "sdtContent", "customXml", "smartTag")}
_TAG_DEL = f"{{{_W}}}del"
_TAG_FALLBACK = f"{{{_MC}}}Fallback"
_SPACES = {f"{{{_W}}}{name}" for name in ("tab", "br", "cr", "ptab")}
_NO_BREAK_HYPHEN = f"{{{_W}}}noBreakHyphen"
#: Subtrees whose text is not printed as such (field codes, deleted text, VML copies of drawings).
_SKIPPED = {f"{{{_W}}}instrText", f"{{{_W}}}delText", _TAG_FLDSIMPLE, _TAG_DEL, _TAG_FALLBACK}

#: Not compared: whitespace, hyphens and dashes (soft, hard, automatic), zero-width characters.
_IGNORED = re.compile(r"[\s\-\u00ad\u2010-\u2015\u2212\u200b-\u200d\u2060\ufeff]+")
_FALSE = {"0", "false", "off"}


def normalise(text: str) -> str:
    """``text`` as it is compared: NFKC, case-folded, without whitespace, hyphens and dashes."""
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text).casefold())


#: One unit of order: a body paragraph (one cell of one text) or a table row (its cells, each its
#: paragraphs in order).
Unit = tuple[tuple[str, ...], ...]


def missing_texts(expected: Sequence[Unit], found: str, *, anywhere: Sequence[str] = ()) -> list[str]:
    """The texts of ``expected`` that ``found`` does not hold in order, then those of ``anywhere``
    that it does not hold at all; as given, without duplicates, in order.

    Units are looked for one after the other. Within a table row the cells may come in any order
    (LibreOffice writes a row line by line across its cells, and a row split over two pages has
    the repeated header between its halves): each cell's paragraphs are found in order from where
    the row starts, and the row ends where the last of them ends. Each text is taken at its
    earliest occurrence, which leaves the most room for the rest; a missing one does not move the
    point, so one lost text does not hide the others. Texts that normalise to nothing ("-",
    spaces) are not checked.
    """
    haystack = normalise(found)
    missing: list[str] = []
    cursor = 0
    for unit in expected:
        end = cursor
        for cell in unit:
            at_cell = cursor
            for text in cell:
                needle = normalise(text)
                if not needle:
                    continue
                at = haystack.find(needle, at_cell)
                if at < 0:
                    missing.append(text)
                else:
                    at_cell = at + len(needle)
            end = max(end, at_cell)
        cursor = end
    for text in anywhere:
        needle = normalise(text)
        if needle and needle not in haystack:
            missing.append(text)
    return list(dict.fromkeys(missing))


@dataclass(frozen=True)
class DocxTexts:
    """The printed texts of a Word file, one per paragraph."""

    body: tuple[Unit, ...]
    """The body in document order: each paragraph, and each table row with its cells' paragraphs."""
    elsewhere: tuple[str, ...]
    """Paragraphs of headers, footers and text boxes, whose place in the PDF's text is not fixed."""


def _hidden(run: ET.Element) -> bool:
    vanish = run.find(f"{{{_W}}}rPr/{{{_W}}}vanish")
    return vanish is not None and vanish.get(f"{{{_W}}}val", "true").lower() not in _FALSE


def _paragraph_text(paragraph: ET.Element, boxes: list[ET.Element]) -> str:
    """The printed text of one paragraph; text boxes met inside are added to ``boxes``."""
    parts: list[str] = []
    field_depth = 0

    def walk(element: ET.Element, *, hidden: bool) -> None:
        nonlocal field_depth
        for child in element:
            tag = child.tag
            if tag in _SKIPPED:
                continue
            if tag == _TAG_TXBX:
                boxes.append(child)
                continue
            if tag == _TAG_FLDCHAR:
                kind = child.get(f"{{{_W}}}fldCharType")
                field_depth += {"begin": 1, "end": -1}.get(kind or "", 0)
                field_depth = max(field_depth, 0)
                continue
            child_hidden = hidden or (tag == _TAG_R and _hidden(child))
            if not child_hidden and not field_depth:
                if tag == _TAG_T:
                    parts.append(child.text or "")
                elif tag in _SPACES:
                    parts.append(" ")
                elif tag == _NO_BREAK_HYPHEN:
                    parts.append("-")
            walk(child, hidden=child_hidden)

    walk(paragraph, hidden=False)
    return " ".join("".join(parts).split())


def _paragraphs(root: ET.Element, boxes: list[ET.Element]) -> Iterator[str]:
    """Texts of the paragraphs under ``root`` in document order, not descending into text boxes."""
    stack = list(reversed(root))
    while stack:
        element = stack.pop()
        if element.tag == _TAG_P:
            yield _paragraph_text(element, boxes)
            continue
        if element.tag in _SKIPPED or element.tag == _TAG_TXBX:
            if element.tag == _TAG_TXBX:
                boxes.append(element)
            continue
        stack.extend(reversed(element))


def _units(element: ET.Element, boxes: list[ET.Element]) -> Iterator[Unit]:
    """The units of order under a body element: paragraphs, and the rows of tables."""
    for child in element:
        tag = child.tag
        if tag in _SKIPPED:
            continue
        if tag == _TAG_P:
            yield ((_paragraph_text(child, boxes),),)
        elif tag == _TAG_TBL:
            for row in _wrapped_children(child, _TAG_TR):
                yield tuple(tuple(_paragraphs(cell, boxes)) for cell in _wrapped_children(row, _TAG_TC))
        elif tag == _TAG_TXBX:
            boxes.append(child)
        else:
            yield from _units(child, boxes)


def _wrapped_children(element: ET.Element, tag: str) -> Iterator[ET.Element]:
    """The children of ``element`` named ``tag``, also those inside content controls (``w:sdt``)."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _wrapped_children(child, tag)


def _clean(unit: Unit) -> Unit:
    return tuple(cell for cell in (tuple(t for t in c if t) for c in unit) if cell)


def docx_texts(docx: bytes) -> DocxTexts:
    """Every paragraph's printed text of a Word file: the body in order, the rest apart.

    :raises zipfile.BadZipFile: ``docx`` is not a Word file.
    """
    elsewhere: list[str] = []
    boxes: list[ET.Element] = []
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        # The Word file this service just filled from its own or the operator's template, not a
        # client's upload; expat expands no external entities either.
        root = ET.fromstring(archive.read("word/document.xml"))  # noqa: S314
        body = [unit for unit in map(_clean, _units(root, boxes)) if unit]
        for name in archive.namelist():
            if re.fullmatch(r"word/(header|footer)\d*\.xml", name):
                part = ET.fromstring(archive.read(name))  # noqa: S314
                elsewhere.extend(_paragraphs(part, boxes))
    while boxes:
        nested: list[ET.Element] = []
        for box in boxes:
            elsewhere.extend(_paragraphs(box, nested))
        boxes = nested
    return DocxTexts(body=tuple(body), elsewhere=tuple(t for t in elsewhere if t))


def pdf_text(pdf: bytes | PdfReader) -> str:
    """The PDF's text, page after page, in content-stream order (pypdf).

    pypdf, not poppler's ``pdftotext -raw``: both find the same texts on every form, and pypdf
    reuses the reader the pipeline already has for the signature markers and costs no process
    (``bench/integrity.py`` measures both).
    """
    reader = pdf if isinstance(pdf, PdfReader) else PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


_CANT_SPLIT = re.compile(rb"<w:cantSplit(?:\s[^>]*)?/>|<w:cantSplit(?:\s[^>]*)?>\s*</w:cantSplit>")


def allow_rows_to_split(docx: bytes) -> bytes:
    """The Word file with every table row allowed to break across pages (no ``w:cantSplit``).

    The layout fallback for a conversion that lost text: LibreOffice drops a row that may not split
    when it falls on a page break; a row that may split is carried on to the next page.
    """
    source = zipfile.ZipFile(io.BytesIO(docx))
    output = io.BytesIO()
    with source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = _CANT_SPLIT.sub(b"", data)
            target.writestr(item, data)
    return output.getvalue()


def content_missing(docx: bytes, pdf: bytes | PdfReader) -> list[str]:
    """The texts of the Word file ``docx`` that its conversion ``pdf`` lacks (empty: complete)."""
    texts = docx_texts(docx)
    return missing_texts(texts.body, pdf_text(pdf), anywhere=texts.elsewhere)
