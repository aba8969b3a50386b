"""The render job: payload → Word form → PDF/A → signature fields (revision 0) → seal (revision 1).

Each step is resumable: a job that died after revision 0 was committed continues with the seal;
one that died earlier starts over (nothing half-written is ever referenced, see ``revisions``).
A job whose process died is queued again by a live one when its lease expires (``recovery``).
A failure the service can explain marks the document ``failed`` with a readable reason.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from sqlalchemy.orm import Session

from service import audit
from service.documents.converter import ConversionError
from service.documents.integrity import allow_rows_to_split, content_missing
from service.documents.placement import footer_band, locate_markers
from service.documents.render import TemplateRenderError, render_document
from service.jsonio import parse_json
from service.models import Document
from service.services import Services
from service.workflow.providers import FIELD_MAKING_PROVIDERS, penerbit_sertifikat
from service.workflow.revisions import RevisionConflictError, add_revision
from service.workflow.signing_ops import seal_document
from service.workflow.stored import payload_of
from service.workflow.webhooks import enqueue
from signing import FieldSpec, add_footer_and_fields
from signing.errors import SigningError

__all__ = [
    "DOCX_FILE",
    "PACKAGED_TEMPLATES",
    "RenderFailedError",
    "mark_failed",
    "printed_payload",
    "render_job",
]

log = logging.getLogger(__name__)

#: The filled Word form, kept beside the revisions.
DOCX_FILE = "form.docx"
PACKAGED_TEMPLATES = Path(__file__).resolve().parents[2] / "form_templates"


class RenderFailedError(Exception):
    """A reason the document cannot be produced, worded for the HR system."""


@dataclass(frozen=True)
class Rendered:
    """A form rendered: the Word file converted, the PDF with its empty fields, and the texts the
    first conversion lost (empty unless the layout fallback was needed; recorded in the audit).
    """

    docx: bytes
    unsigned: bytes
    lost_first: Sequence[str] = ()


def printed_payload(document: Document, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload as the form prints it: a signer replaced (Plt/Plh) before the render is printed
    under their signing block by their own name, NIP and jabatan; their stamp says "Plt. <role>".
    A document rendered before the delegation keeps the official it names (sealed text cannot
    change): there the stamp in the block carries the delegate's name, NIP and "Plt. <role>".
    """
    printed = dict(payload)
    for signer in document.signers:
        if signer.delegate_json and isinstance(payload.get(signer.peran), Mapping):
            printed[signer.peran] = {
                **payload[signer.peran],
                "nama": signer.nama,
                "nip": signer.nip,
                "jabatan": signer.jabatan,
            }
    return printed


def render_unsigned(services: Services, document: Document, payload: Mapping[str, Any]) -> Rendered:
    """The filled Word file and the converted PDF with one empty field per signer."""
    docx = render_document(
        printed_payload(document, payload),
        parse_json(document.hasil_json),
        packaged_dir=PACKAGED_TEMPLATES,
        instance_dir=services.settings.instance_templates_dir,
        verification_code=document.verification_code,
        signers=[signer.peran for signer in document.signers],
        images=services.form_images(),
    )
    converted = convert_complete(services, docx)
    pdf, reader = converted.pdf, converted.reader
    markers = locate_markers(reader, roles=[signer.peran for signer in document.signers])
    fields = []
    for signer in document.signers:
        if signer.peran not in markers:
            raise RenderFailedError(
                f"Templat tidak memuat blok tanda tangan untuk {signer.peran}; "
                "dokumen tidak dapat ditandatangani."
            )
        page, box = markers[signer.peran]
        signer.kotak_json = json.dumps([page, *box])
        # A provider that signs in a field of its own (BSrE) gets the place, not an empty field.
        if signer.penyedia not in FIELD_MAKING_PROVIDERS:
            fields.append(FieldSpec(name=signer.field_name, page=page, box=box))
    _, band = footer_band(reader)
    unsigned = add_footer_and_fields(
        pdf,
        url=services.urls.verify(document.verification_code),
        code=document.verification_code,
        box=band,
        fields=fields,
        penerbit=penerbit_sertifikat(document),
    )
    return Rendered(docx=converted.docx, unsigned=unsigned, lost_first=converted.lost_first)


@dataclass(frozen=True)
class _Converted:
    docx: bytes
    pdf: bytes
    reader: PdfReader
    lost_first: Sequence[str]


def convert_complete(services: Services, docx: bytes) -> _Converted:
    """The Word file converted, with every text of it in the PDF.

    A conversion that lost text (LibreOffice drops a row that may not split when it falls on a
    page break, issue 11) is tried once more with rows allowed to split; the Word file returned is
    the one converted, so the stored form matches the PDF.

    :raises RenderFailedError: text is still missing; the reason names it.
    """
    missing: list[str] = []
    lost_first: list[str] = []
    for fallback in (False, True):
        attempt = allow_rows_to_split(docx) if fallback else docx
        pdf = services.converter().convert(attempt, timeout=services.settings.converter_timeout)
        reader = PdfReader(BytesIO(pdf))  # parsed once for the check, the markers and the footer band
        missing = content_missing(attempt, reader)
        if not missing:
            return _Converted(docx=attempt, pdf=pdf, reader=reader, lost_first=lost_first)
        lost_first = lost_first or missing
        log.warning("conversion lost %d texts, first %r", len(missing), missing[0][:80])
    shown = "; ".join(f"«{text[:120]}»" for text in missing[:5])
    more = f" (dan {len(missing) - 5} teks lain)" if len(missing) > 5 else ""
    raise RenderFailedError(
        f"Isi dokumen hilang saat dikonversi ke PDF, juga dengan baris tabel boleh terpotong: {shown}{more}."
    )


def render_job(session: Session, services: Services, document_id: str) -> None:
    """Render, then seal, a document still ``rendering``; a document in any other state is left."""
    document = session.get(Document, document_id)
    if document is None or document.status != "rendering":
        return
    try:
        payload = payload_of(document)
        unsigned: bytes | None = None
        if document.current_revision < 0:
            rendered = render_unsigned(services, document, payload)
            unsigned = rendered.unsigned
            if not services.store.exists(document.id, DOCX_FILE):
                # Two runs at once (a lease taken over from a slow process) both get here: the
                # second finds the same form written, which is no failure of the document.
                with contextlib.suppress(FileExistsError):
                    services.store.put(document.id, DOCX_FILE, rendered.docx)
            add_revision(session, services.store, document, data=unsigned, kind="render", based_on=-1)
            data: dict[str, Any] = {"revision": 0, "bytes": len(unsigned)}
            if rendered.lost_first:
                # The first conversion lost text and rows were let split: say so, and what.
                data["layout_fallback"] = {
                    "rows_split": True,
                    "lost": [t[:120] for t in rendered.lost_first[:5]],
                }
            audit.record(session, event="rendered", actor="system", document_id=document.id, data=data)
            # Revision 0 is kept on its own: a job that dies while sealing resumes from here.
            session.commit()
        if document.current_revision == 0:
            seal_document(session, services, document, payload=payload, unsigned=unsigned)
            session.commit()
    except RevisionConflictError:
        # Another worker runs the same job (e.g. resumed twice) and got there first.
        session.rollback()
    except Exception as error:  # noqa: BLE001  (every failure ends as a readable `failed` status)
        session.rollback()
        mark_failed(session, services, document_id, _reason(error))


def _reason(error: Exception) -> str:
    if isinstance(error, RenderFailedError | TemplateRenderError | ConversionError):
        return str(error)
    if isinstance(error, SigningError):
        return f"Penyegelan dokumen gagal: {error.message}"
    log.exception("render job failed unexpectedly", exc_info=error)
    return f"Kesalahan tak terduga saat membuat dokumen ({type(error).__name__})."


def mark_failed(session: Session, services: Services, document_id: str, reason: str) -> None:
    """A document still ``rendering`` cannot be produced: ``failed``, audited, webhook queued."""
    document = session.get(Document, document_id)
    if document is None or document.status != "rendering":
        return
    document.status = "failed"
    document.failure_reason = reason[:2000]
    audit.record(
        session, event="failed", actor="system", document_id=document.id, data={"reason": reason[:2000]}
    )
    enqueue(session, services, document, "document.failed")
    session.commit()
