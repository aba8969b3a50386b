"""Server-rendered pages for people: officials signing, archivists, public verification."""

from __future__ import annotations

from flask import Response, current_app, render_template
from werkzeug.exceptions import HTTPException

from service.errors import ServiceError

__all__ = ["error_page", "mask_nip", "png_response"]


def error_page(error: Exception) -> tuple[str, int, dict[str, str]]:
    """Errors on pages are pages too (Indonesian, no trace), with the right status and headers."""
    headers: dict[str, str] = {}
    if isinstance(error, ServiceError):
        # ``Retry-After`` of a lockout or a throttled address.
        status, detail, headers = error.status, error.detail, error.headers
    elif isinstance(error, HTTPException):
        status, detail = error.code or 500, str(error.description)
    else:
        current_app.logger.exception("page failed", exc_info=error)
        status, detail = 500, "Terjadi kesalahan pada layanan. Silakan coba lagi nanti."
    return render_template("sign_error.html", status=status, detail=detail), status, headers


def mask_nip(nip: str) -> str:
    """Show enough of a NIP to recognise it, not enough to harvest it: 1985********1001."""
    return nip[:4] + "*" * (len(nip) - 8) + nip[-4:] if len(nip) > 8 else "*" * len(nip)


def png_response(data: bytes) -> Response:
    """A page image of a document (:mod:`service.workflow.page_images`): for the one who may read
    it, never cached by anyone else (the blueprint adds ``no-store``).
    """
    response = Response(data, mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = "inline"
    return response
