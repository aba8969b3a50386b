"""Public verification ``/v/<code>``: what the QR code on a signed document opens."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, render_template, request
from sqlalchemy import select

from service.db import get_session
from service.errors import NotFoundError, ServiceError
from service.models import Document
from service.pages import error_page
from service.pages.signing import TYPE_LABEL
from service.security import require_csrf
from service.services import get_services
from service.workflow.signing_ops import PERAN_LABEL
from service.workflow.verification import verify_current, verify_pdf

bp = Blueprint("verify_page", __name__, url_prefix="/v")


def mask_nip(nip: str) -> str:
    """Show enough of a NIP to recognise it, not enough to harvest it: 1985********1001."""
    return nip[:4] + "*" * (len(nip) - 8) + nip[-4:] if len(nip) > 8 else "*" * len(nip)


def _document(code: str) -> Document:
    document = get_session().scalar(select(Document).where(Document.verification_code == code))
    if document is None or len(code) > 40:
        raise NotFoundError("Kode verifikasi tidak dikenal.")
    return document


def _context(document: Document) -> dict[str, Any]:
    session = get_session()
    services = get_services()
    result = verify_current(session, services, document, actor="public", ip=request.remote_addr)
    return {
        "document": document,
        "payload": json.loads(document.payload_json),
        "type_label": TYPE_LABEL.get(document.type, document.type),
        "peran_label": PERAN_LABEL,
        "nip_masked": mask_nip(document.pegawai_nip),
        "mask_nip": mask_nip,
        "result": result,
    }


@bp.get("/<code>")
def show(code: str) -> str:
    return render_template("verify.html", **_context(_document(code)))


@bp.post("/<code>")
def check_upload(code: str) -> tuple[str, int]:
    require_csrf()
    document = _document(code)
    context = _context(document)
    upload = request.files.get("file")
    data = upload.read() if upload else b""
    if not data.startswith(b"%PDF-"):
        return render_template("verify.html", upload_error="Berkas bukan PDF.", **context), 422
    try:
        uploaded = verify_pdf(get_session(), get_services(), data, actor="public", ip=request.remote_addr)
    except ServiceError as error:
        return render_template("verify.html", upload_error=error.detail, **context), 422
    belongs = uploaded["document_id"] == document.id
    return render_template("verify.html", uploaded=uploaded, belongs=belongs, **context), 200


bp.register_error_handler(Exception, error_page)
