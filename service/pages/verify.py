"""Public verification ``/v/<code>``: what the QR code on a signed document opens."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from service.composition import get_services
from service.db import get_session
from service.errors import ServiceError
from service.models import Document
from service.pages import error_page, mask_nip
from service.scoring.vocabulary import PERAN_LABEL, STATUS_LABEL, TYPE_LABEL
from service.security import require_csrf
from service.tenancy import Caller
from service.workflow.stored import payload_of
from service.workflow.verification import document_by_code, reading, verify_current, verify_pdf

bp = Blueprint("verify_page", __name__, url_prefix="/v")


def _context(document: Document) -> dict[str, Any]:
    session = get_session()
    services = get_services()
    result = verify_current(
        session, services, document, Caller.holder_of(document, "public"), ip=request.remote_addr
    )
    return {
        "document": document,
        "payload": payload_of(document),
        "type_label": TYPE_LABEL.get(document.type, document.type),
        "peran_label": PERAN_LABEL,
        "nip_masked": mask_nip(document.pegawai_nip),
        "mask_nip": mask_nip,
        "result": result,
        "reading": reading(document, result),
        "status_label": STATUS_LABEL,
    }


@bp.get("/<code>")
def show(code: str) -> str:
    """The public verification page of a document (what its QR code opens)."""
    return render_template("verify.html", **_context(document_by_code(get_session(), code)))


@bp.post("/<code>")
def check_upload(code: str) -> tuple[str, int]:
    """Check an uploaded copy against the document the code names."""
    require_csrf()
    document = document_by_code(get_session(), code)
    context = _context(document)
    upload = request.files.get("file")
    data = upload.read() if upload else b""
    if not data.startswith(b"%PDF-"):
        return render_template("verify.html", upload_error="Berkas bukan PDF.", **context), 422
    try:
        uploaded = verify_pdf(
            get_session(), get_services(), data, Caller.holder_of(document, "public"), ip=request.remote_addr
        )
    except ServiceError as error:
        return render_template("verify.html", upload_error=error.detail, **context), 422
    belongs = uploaded["document_id"] == document.id
    return render_template(
        "verify.html",
        uploaded=uploaded,
        belongs=belongs,
        uploaded_reading=reading(document, uploaded),
        **context,
    ), 200


bp.register_error_handler(Exception, error_page)
