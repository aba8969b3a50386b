"""The render job: payload → Word form → PDF/A → signature fields (revision 0) → seal (revision 1).

Each step is resumable: a job that died after revision 0 was committed continues with the seal;
one that died earlier starts over (nothing half-written is ever referenced, see ``revisions``).
A failure the service can explain marks the document ``failed`` with a readable reason.
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from service import audit
from service.db import get_session
from service.jobs import job
from service.jsonio import parse_json
from service.models import Document
from service.services import Services, get_services
from service.workflow.revisions import RevisionConflictError, commit_revision
from service.workflow.signing_ops import seal_document

__all__ = ["render_job", "resume_unfinished"]

log = logging.getLogger(__name__)

PACKAGED_TEMPLATES = Path(__file__).resolve().parents[2] / "form_templates"


class RenderFailedError(Exception):
    """A reason the document cannot be produced, worded for the HR system."""


def _render_unsigned(services: Services, document: Document) -> tuple[bytes, bytes]:
    """The filled Word file and the converted PDF with one empty field per signer."""
    from service.documents.placement import footer_band, locate_markers
    from service.documents.render import render_document
    from service.schemas import DocumentPayloadSchema
    from signing import FieldSpec, add_signature_fields, add_verification_footer

    payload = DocumentPayloadSchema().load(parse_json(document.payload_json.encode()))
    hasil: dict[str, Any] = json.loads(document.hasil_json, parse_float=Decimal)
    docx = render_document(
        payload,
        hasil,
        packaged_dir=PACKAGED_TEMPLATES,
        instance_dir=Path(services.config["INSTANCE_TEMPLATES_DIR"]),
        verification_code=document.verification_code,
    )
    pdf = services.converter().convert(docx, timeout=services.config["CONVERTER_TIMEOUT"])
    markers = locate_markers(pdf, roles=[signer.peran for signer in document.signers])
    fields = []
    for signer in document.signers:
        if signer.peran not in markers:
            raise RenderFailedError(
                f"Templat tidak memuat blok tanda tangan untuk {signer.peran}; "
                "dokumen tidak dapat ditandatangani."
            )
        page, box = markers[signer.peran]
        fields.append(FieldSpec(name=signer.field_name, page=page, box=box))
    _, band = footer_band(pdf)
    pdf = add_verification_footer(
        pdf,
        url=f"{services.config['PUBLIC_URL'].rstrip('/')}/v/{document.verification_code}",
        code=document.verification_code,
        box=band,
        pages=range(_page_count(pdf)),
    )
    return docx, add_signature_fields(pdf, fields)


def _page_count(pdf: bytes) -> int:
    from io import BytesIO

    from pypdf import PdfReader

    return len(PdfReader(BytesIO(pdf)).pages)


@job("render")
def render_job(document_id: str) -> None:
    session = get_session()
    services = get_services()
    document = session.get(Document, document_id)
    if document is None or document.status != "rendering":
        return
    try:
        if document.current_revision < 0:
            docx, unsigned = _render_unsigned(services, document)
            if not services.store.exists(document.id, "form.docx"):
                services.store.put(document.id, "form.docx", docx)

            def rendered(_revision: object) -> None:
                audit.record(
                    session,
                    event="rendered",
                    actor="system",
                    document_id=document.id,
                    data={"revision": 0, "bytes": len(unsigned)},
                )

            commit_revision(
                session,
                services.store,
                document,
                data=unsigned,
                kind="render",
                based_on=-1,
                before_commit=rendered,
            )
        if document.current_revision == 0:
            seal_document(session, services, document)
    except RevisionConflictError:
        # Another worker runs the same job (e.g. resumed twice) and got there first.
        session.rollback()
    except Exception as error:
        session.rollback()
        _fail(document_id, _reason(error))


def _reason(error: Exception) -> str:
    from service.documents.converter import ConversionError
    from service.documents.render import TemplateRenderError
    from signing.errors import SigningError

    if isinstance(error, RenderFailedError | TemplateRenderError | ConversionError):
        return str(error)
    if isinstance(error, SigningError):
        return f"Penyegelan dokumen gagal: {error.message}"
    log.exception("render job failed unexpectedly", exc_info=error)
    return f"Kesalahan tak terduga saat membuat dokumen ({type(error).__name__})."


def _fail(document_id: str, reason: str) -> None:
    session = get_session()
    document = session.get(Document, document_id)
    if document is None or document.status != "rendering":
        return
    document.status = "failed"
    document.failure_reason = reason[:2000]
    audit.record(
        session, event="failed", actor="system", document_id=document.id, data={"reason": reason[:2000]}
    )
    from service.workflow.webhooks import enqueue

    enqueue(session, document, "document.failed", config=current_app.config)
    session.commit()


def resume_unfinished() -> int:
    """Queue the render job again for documents a dead process left in ``rendering``."""
    session = get_session()
    ids = list(session.scalars(select(Document.id).where(Document.status == "rendering")))
    for document_id in ids:
        get_services().runner.submit("render", document_id)
    return len(ids)
