"""Each page of a revision as a PNG, for reading a document on any device without a PDF viewer.

Rendering is CPU work in this process (PDFium through pypdfium2), behind :func:`render_page`. A
revision never changes, so each image is made once and kept in the document store beside the
revision as ``halaman-r<rev>-p<page>-w<width>.png`` (shared by every worker, kept with the
document; the orphan-file sweep only collects ``rev-*.pdf``). The signing page and the inbox call
:func:`page_image` / :func:`page_count` after their own access checks.
"""

from __future__ import annotations

import contextlib
import io
import threading

import pypdfium2 as pdfium
from sqlalchemy.orm import Session

from service.errors import NotFoundError, UnprocessableError
from service.interfaces import DocumentStore
from service.models import Document
from service.workflow.revisions import read_revision

__all__ = ["DEFAULT_WIDTH", "LARGE_WIDTH", "WIDTHS", "page_count", "page_image", "render_page"]

#: What the page shows, sized to the screen by CSS (sharp on a 2x phone of 390 CSS px).
DEFAULT_WIDTH = 800
#: The larger one, one tap away, for zooming into a table.
LARGE_WIDTH = 1600
#: The only widths served: each is cached, so the set must stay small.
WIDTHS = frozenset({DEFAULT_WIDTH, LARGE_WIDTH})

# PDFium is not thread-safe: one rendering at a time per process (gunicorn threads share it).
_pdfium = threading.Lock()


def _open(pdf: bytes, *, forms: bool = False) -> pdfium.PdfDocument:
    document = pdfium.PdfDocument(pdf)
    if forms:
        # Without a form environment PDFium skips widget appearances: the signature stamps.
        document.init_forms()
    return document


def _count(pdf: bytes) -> int:
    with _pdfium:
        document = _open(pdf)
        try:
            return len(document)
        finally:
            document.close()


def render_page(pdf: bytes, page: int, width: int) -> bytes:
    """Page ``page`` (1-based) of ``pdf`` as a PNG ``width`` pixels wide, on white.

    :raises NotFoundError: the PDF has no such page.
    """
    with _pdfium:
        document = _open(pdf, forms=True)
        try:
            if not 1 <= page <= len(document):
                raise NotFoundError(f"Dokumen ini tidak memiliki halaman {page}.")
            pdf_page = document[page - 1]
            try:
                # PDFium rounds the bitmap's size up: a hair less than the exact scale gives ``width``.
                scale = (width - 1e-6) / pdf_page.get_width()
                bitmap = pdf_page.render(scale=scale, may_draw_forms=True)
                image = bitmap.to_pil()
            finally:
                pdf_page.close()
        finally:
            document.close()
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG")
    return out.getvalue()


def _name(revision: int, page: int, width: int) -> str:
    return f"halaman-r{revision:04d}-p{page:03d}-w{width}.png"


def page_count(session: Session, store: DocumentStore, document: Document, revision: int) -> int:
    """How many pages revision ``revision`` has (kept beside it after the first count)."""
    name = f"halaman-r{revision:04d}-jumlah.txt"
    if store.exists(document.id, name):
        return int(store.get(document.id, name))
    count = _count(read_revision(session, store, document, revision))
    with contextlib.suppress(FileExistsError):  # another request counted it meanwhile
        store.put(document.id, name, str(count).encode())
    return count


def page_image(
    session: Session, store: DocumentStore, document: Document, revision: int, *, page: int, width: int
) -> bytes:
    """Page ``page`` (1-based) of revision ``revision`` as a PNG ``width`` wide, made once.

    The caller has checked who may see the document.

    :raises UnprocessableError: ``width`` is not one of :data:`WIDTHS`.
    :raises NotFoundError: there is no such page.
    """
    if width not in WIDTHS:
        raise UnprocessableError(
            errors=[{"field": "lebar", "message": f"harus salah satu dari {sorted(WIDTHS)}"}]
        )
    if page < 1 or page > page_count(session, store, document, revision):
        raise NotFoundError(f"Dokumen ini tidak memiliki halaman {page}.")
    name = _name(revision, page, width)
    if store.exists(document.id, name):
        return store.get(document.id, name)
    data = render_page(read_revision(session, store, document, revision), page, width)
    with contextlib.suppress(FileExistsError):
        store.put(document.id, name, data)
    return data
