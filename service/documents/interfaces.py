"""The small interfaces the document pipeline talks to (docs/architecture.md, style convention 6)."""

from __future__ import annotations

from typing import Protocol

__all__ = ["PdfConverter"]


class PdfConverter(Protocol):
    """Turns a filled Word file into a PDF/A-2b document.

    Implementations are thread-safe: the job runner calls :meth:`convert` from several threads.
    """

    def convert(self, docx: bytes, *, timeout: float) -> bytes:
        """The PDF of ``docx``.

        :param timeout: seconds one conversion attempt may take before the process doing it is
            considered hung.
        :raises service.documents.converter.ConversionError: with a reason a person can read.
        """
        ...

    def close(self) -> None:
        """Stop everything the converter started; calling it twice is harmless."""
        ...
