"""Where the signature fields go: find each signature block's marker in the converted PDF.

Every signature block of the templates carries invisible text ``[[ttd:<role>]]`` (white, 4 pt) right
above the blank space where the signature belongs. The layout moves with the content, so the place is
read from each PDF (P13) with pypdf's text extraction: the text matrix times the current
transformation matrix gives the marker's baseline in absolute page coordinates (origin bottom-left,
the coordinates :class:`signing.FieldSpec` wants).
"""

from __future__ import annotations

import io
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader

from service.documents.context import MARKERS

__all__ = [
    "FOOTER_BAND_MM",
    "SIGNATURE_HEIGHT",
    "SIGNATURE_WIDTH",
    "Box",
    "footer_band",
    "locate_markers",
]

#: Signature box size in PDF points (the blank space of a signature block is ~72 pt high).
SIGNATURE_WIDTH = 180.0
SIGNATURE_HEIGHT = 60.0

#: Height of the band at the bottom of every page that templates keep free for verification.
FOOTER_BAND_MM = 25.0

Box = tuple[float, float, float, float]

_MARKER = re.compile(r"\[\[ttd:([a-z_]+)\]\]")
_POINTS_PER_MM = 72 / 25.4


@dataclass
class _Piece:
    text: str
    x: float
    y: float
    size: float


def _pieces(page: Any) -> list[_Piece]:
    pieces: list[_Piece] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, font_size: float) -> None:
        if not text:
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = abs(tm[3] * cm[3]) or abs(tm[0] * cm[0]) or 1.0
        pieces.append(_Piece(text, x, y, font_size * scale))

    page.extract_text(visitor_text=visit)
    return pieces


def _find(pieces: list[_Piece]) -> dict[str, tuple[float, float, float]]:
    """Role → (x of the marker's start, its baseline y, its font size), joining split text runs."""
    joined = ""
    owners: list[int] = []
    for index, piece in enumerate(pieces):
        joined += piece.text
        owners.extend([index] * len(piece.text))
    found: dict[str, tuple[float, float, float]] = {}
    for match in _MARKER.finditer(joined):
        first = pieces[owners[match.start()]]
        found.setdefault(match.group(1), (first.x, first.y, first.size))
    return found


def _reader(pdf: bytes | PdfReader) -> PdfReader:
    return pdf if isinstance(pdf, PdfReader) else PdfReader(io.BytesIO(pdf))


def locate_markers(
    pdf: bytes | PdfReader,
    *,
    width: float = SIGNATURE_WIDTH,
    height: float = SIGNATURE_HEIGHT,
    roles: Collection[str] | None = None,
) -> dict[str, tuple[int, Box]]:
    """Role → ``(page index, (x1, y1, x2, y2))``: the signature box under each marker.

    The box is ``width`` × ``height`` points, centred on the marker (the signature blocks are
    centred), its top edge at the marker's baseline, so it fills the blank space above the signer's
    name. Only roles of :data:`~service.documents.context.MARKERS` count; each template has one
    marker per role. Signature blocks close a form, so pages are read from the last one back, and
    reading stops once every role of ``roles`` (default: all) is found: text extraction is the
    costly part and a long SKP need not be read whole. ``pdf`` may be a reader already open.
    """
    reader = _reader(pdf)
    wanted = set(MARKERS if roles is None else roles)
    located: dict[str, tuple[int, Box]] = {}
    for index in reversed(range(len(reader.pages))):
        if wanted <= located.keys():
            break
        page = reader.pages[index]
        left, bottom = float(page.mediabox.left), float(page.mediabox.bottom)
        right = float(page.mediabox.right)
        for role, (x, y, size) in _find(_pieces(page)).items():
            if role not in MARKERS or role in located:
                continue
            # Width of the marker text: Liberation Sans averages ~0.42 em per character here.
            centre = x + len(MARKERS[role]) * size * 0.21
            x1 = min(max(centre - width / 2, left), right - width)
            top = y - 1
            located[role] = (
                index,
                (round(x1, 2), round(max(top - height, bottom), 2), round(x1 + width, 2), round(top, 2)),
            )
    return located


def footer_band(pdf: bytes | PdfReader, page_index: int = -1) -> tuple[int, Box]:
    """The reserved band at the bottom of a page (default: the last one) as ``(page index, box)``.

    Templates keep the bottom :data:`FOOTER_BAND_MM` of every page empty; signing draws the
    verification QR code and text there. ``pdf`` may be a reader already open.
    """
    reader = _reader(pdf)
    index = page_index % len(reader.pages)
    box = reader.pages[index].mediabox
    margin = 12 * _POINTS_PER_MM
    left, bottom, right = float(box.left), float(box.bottom), float(box.right)
    return index, (
        round(left + margin, 2),
        round(bottom + 4, 2),
        round(right - margin, 2),
        round(bottom + FOOTER_BAND_MM * _POINTS_PER_MM, 2),
    )


def describe(markers: Mapping[str, tuple[int, Box]]) -> str:
    """A one-line summary for logs: ``pegawai p2 (120,300)…``."""
    return ", ".join(
        f"{role} p{page + 1} ({box[0]:.0f},{box[1]:.0f})" for role, (page, box) in markers.items()
    )
