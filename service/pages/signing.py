"""The signing page ``/sign/<token>``: works without JavaScript, checks in stages.

Stage 1 loads the token (404 unknown, 410 used/expired/revoked); stage 2 checks the document's
state and whose turn it is (409); stage 3 processes the decision.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from sqlalchemy import select

from service import audit
from service.db import get_session
from service.errors import ConflictError
from service.models import Document, Signer, SignerKey
from service.pages import error_page
from service.security import require_csrf
from service.services import get_services
from service.workflow import operations
from service.workflow.links import LinkGoneError, resolve_token
from service.workflow.operations import FINAL_STATUSES
from service.workflow.revisions import read_revision
from service.workflow.signing_ops import (
    MAX_FAILED_ATTEMPTS,
    PERAN_LABEL,
    WrongPassphraseServiceError,
    sign_document,
)

bp = Blueprint("signing_page", __name__, url_prefix="/sign")

#: Largest ``.p12`` a signer may upload (a key and a short chain are a few KiB).
MAX_P12 = 64 * 1024
#: Minimum length of a passphrase a signer chooses on first use.
MIN_PASSPHRASE = 10
TYPE_LABEL = {
    "skp": "Sasaran Kinerja Pegawai",
    "manual_iku": "Manual Indikator Kinerja",
    "evaluasi": "Evaluasi Kinerja Pegawai",
    "dokumen_penilaian": "Dokumen Penilaian/Evaluasi Kinerja Pegawai",
}
FINAL_DETAIL = {
    "cancelled": "Dokumen ini telah dibatalkan; tautan tidak berlaku lagi.",
    "rejected": "Dokumen ini telah ditolak oleh salah satu penanda tangan; tautan tidak berlaku lagi.",
    "completed": "Dokumen ini sudah selesai ditandatangani; tautan tidak berlaku lagi.",
    "failed": "Dokumen ini gagal diproses; tautan tidak berlaku lagi.",
}


def _load(token: str) -> tuple[Signer, Document]:
    signer = resolve_token(get_session(), token, secret=current_app.config["SECRET_KEY"])
    document = signer.document
    if document.status in FINAL_STATUSES:
        # Cancelled, rejected, failed or completed: every link of the document is dead (410),
        # even one handed out for a later turn; 409 is for a turn that may still come.
        raise LinkGoneError(FINAL_DETAIL.get(document.status, "Tautan ini tidak berlaku lagi."))
    if document.status != "awaiting_signature" or signer.status != "pending":
        raise ConflictError("Dokumen ini belum menunggu tanda tangan Anda.")
    return signer, document


def _page(signer: Signer, document: Document, status: int = 200, **extra: Any) -> tuple[str, int]:
    payload = json.loads(document.payload_json)
    has_key = get_session().scalar(select(SignerKey.id).where(SignerKey.nip == signer.nip)) is not None
    return render_template(
        "sign.html",
        signer=signer,
        document=document,
        payload=payload,
        peran_label=PERAN_LABEL,
        type_label=TYPE_LABEL.get(document.type, document.type),
        first_use=not has_key,
        min_passphrase=MIN_PASSPHRASE,
        **extra,
    ), status


@bp.get("/<token>")
def show(token: str) -> tuple[str, int]:
    signer, document = _load(token)
    session = get_session()
    audit.record(
        session,
        event="link_opened",
        actor=f"nip:{signer.nip}",
        document_id=document.id,
        ip=request.remote_addr,
        data={"urutan": signer.urutan},
    )
    session.commit()
    return _page(signer, document)


@bp.get("/<token>/dokumen.pdf")
def pdf(token: str) -> Response:
    _signer, document = _load(token)
    data = read_revision(get_session(), get_services().store, document, document.current_revision)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{document.id}.pdf"'
    return response


@bp.post("/<token>")
def decide(token: str) -> tuple[str, int]:  # noqa: PLR0911  (one answer per form mistake)
    require_csrf()
    signer, document = _load(token)
    session = get_session()
    actor = f"nip:{signer.nip}"
    keputusan = request.form.get("keputusan", "")
    if keputusan == "tolak":
        alasan = request.form.get("alasan", "").strip()
        if not alasan:
            return _page(signer, document, 422, error="Alasan penolakan wajib diisi.")
        if len(alasan) > 2000:
            return _page(signer, document, 422, error="Alasan penolakan terlalu panjang.")
        operations.reject_document(
            session,
            document,
            signer,
            alasan=alasan,
            actor=actor,
            ip=request.remote_addr,
            config=current_app.config,
        )
        return render_template("sign_done.html", document=document, signer=signer, rejected=True), 200
    if keputusan != "tandatangani":
        return _page(signer, document, 422, error="Pilih tandatangani atau tolak.")
    passphrase = request.form.get("passphrase", "")
    first_use = session.scalar(select(SignerKey.id).where(SignerKey.nip == signer.nip)) is None
    upload = request.files.get("p12")
    uploaded = upload.read(MAX_P12 + 1) if upload and upload.filename else None
    if uploaded is not None and (not first_use or len(uploaded) > MAX_P12):
        message = (
            "Berkas .p12 terlalu besar."
            if first_use
            else "Anda sudah memiliki kunci; unggah .p12 hanya pada penggunaan pertama."
        )
        return _page(signer, document, 422, error=message)
    if uploaded is not None:
        if not passphrase:
            return _page(signer, document, 422, error="Frasa sandi berkas .p12 wajib diisi.")
    elif first_use:
        if len(passphrase) < MIN_PASSPHRASE:
            return _page(signer, document, 422, error=f"Frasa sandi minimal {MIN_PASSPHRASE} karakter.")
        if passphrase != request.form.get("passphrase_konfirmasi", ""):
            return _page(signer, document, 422, error="Konfirmasi frasa sandi tidak sama.")
    elif not passphrase:
        return _page(signer, document, 422, error="Frasa sandi wajib diisi.")
    try:
        sign_document(
            session,
            get_services(),
            document,
            urutan=signer.urutan,
            passphrase=passphrase,
            actor=actor,
            ip=request.remote_addr,
            uploaded_p12=uploaded,
        )
    except WrongPassphraseServiceError:
        session.refresh(signer)
        left = MAX_FAILED_ATTEMPTS - signer.failed_attempts
        return _page(
            signer,
            document,
            422,
            error=(
                f"Frasa sandi salah. Tautan terkunci bila salah {left} kali lagi."
                if left > 0
                else "Frasa sandi salah. Tautan kini terkunci; "
                "minta tautan baru kepada pengelola kepegawaian."
            ),
        )
    return render_template("sign_done.html", document=document, signer=signer, rejected=False), 200


bp.register_error_handler(Exception, error_page)
