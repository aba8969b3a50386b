"""POST /api/v1/verify: validate an uploaded PDF."""

from __future__ import annotations

from typing import Any

from flask import g, request

from service.api.blueprint import bp
from service.clients import client_caller, require_scope
from service.composition import get_services
from service.db import get_session
from service.errors import UnprocessableError, UnsupportedMediaTypeError
from service.workflow.verification import verify_pdf


@bp.post("/verify")
@require_scope()
def verify() -> dict[str, Any]:
    """Validate an uploaded PDF's signatures and say whether this service issued it."""
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaTypeError("Kirim berkas PDF sebagai multipart/form-data, bidang 'file'.")
    upload = request.files.get("file")
    if upload is None:
        raise UnprocessableError(errors=[{"field": "file", "message": "wajib diisi"}])
    data = upload.read()
    if not data.startswith(b"%PDF-"):
        raise UnprocessableError(errors=[{"field": "file", "message": "berkas bukan PDF"}])
    return verify_pdf(
        get_session(), get_services(), data, client_caller(g.api_client), ip=request.remote_addr
    )
