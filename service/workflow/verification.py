"""Verify a PDF: every signature by :func:`signing.validate`, and whether this service issued it."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit
from service.errors import NotFoundError, UnprocessableError
from service.models import Document, Revision
from service.services import Services
from service.tenancy import Caller
from service.workflow.revisions import read_revision
from signing import validate
from signing.errors import InvalidPdfError

__all__ = ["document_by_code", "reading", "verify_current", "verify_pdf"]

log = logging.getLogger(__name__)


def _signature_dict(sig: Any) -> dict[str, Any]:
    timestamp = sig["timestamp"]
    return {
        "field": sig["field_name"],
        "signer": sig["signer_name"],
        "nip": sig["signer_nip"],
        "issuer": sig["signer_issuer"],
        "role": sig["role"] or ("segel instansi" if sig["certification"] else None),
        "signing_time": sig["signing_time"],
        "timestamp": timestamp["time"] if timestamp else None,
        "timestamp_valid": timestamp["intact"] and timestamp["valid"] and timestamp["trusted"]
        if timestamp
        else False,
        "intact": sig["intact"],
        # pyHanko's "valid" is the CMS signature value alone, which still verifies over bytes that
        # changed; a signature of this document is valid only if it is also intact.
        "valid": sig["valid"] and sig["intact"],
        "trusted": sig["trusted"],
        # Set when trust now rests on the signature timestamp (the certificate expired since).
        "trusted_at": sig["trusted_at"],
        "coverage": sig["coverage"],
        "modification_level": sig["modification_level"],
        "pades_level": sig["pades_level"],
        "certification": sig["certification"],
        "ok": sig["ok"],
        "error": sig["error"] or sig["trust_problem"],
    }


def verify_pdf(
    session: Session, services: Services, data: bytes, caller: Caller, *, ip: str | None
) -> dict[str, Any]:
    """The api.md verification answer for ``data``; a matched document gets a ``verified`` event.

    Which document the file is a revision of is told only to a caller who may read that document;
    that the service issued it is not a secret (the file's own QR code says so publicly).
    """
    try:
        report = validate(data, services.trust()).as_dict()
    except InvalidPdfError as error:
        # The PDF library's reason is English and about its internals: logged, not answered.
        log.info("unreadable PDF sent for verification: %s", error.message)
        raise UnprocessableError(
            "Berkas bukan PDF yang dapat dibaca.",
            errors=[{"field": "file", "message": "PDF rusak atau tidak dapat dibaca"}],
        ) from None
    digest = hashlib.sha256(data).hexdigest()
    revision = session.scalar(select(Revision).where(Revision.sha256 == digest))
    known = revision is not None and caller.may_read(revision.document)
    if revision is not None:
        audit.record(
            session,
            event="verified",
            actor=caller.actor,
            document_id=revision.document_id,
            ip=ip,
            data={"revision": revision.number, "ok": report["ok"]},
        )
        session.commit()
    return {
        "signatures": [_signature_dict(s) for s in report["signatures"]],
        "document_timestamps": report["document_timestamps"],
        "ok": report["ok"],
        "pades_level": report["pades_level"],
        "sha256": digest,
        "issued_by_service": revision is not None,
        "document_id": revision.document_id if revision and known else None,
        "revision": revision.number if revision and known else None,
    }


def document_by_code(session: Session, code: str) -> Document:
    """The document a QR code names, or 404."""
    document = (
        session.scalar(select(Document).where(Document.verification_code == code))
        if len(code) <= 40
        else None
    )
    if document is None:
        raise NotFoundError("Kode verifikasi tidak dikenal.")
    return document


def verify_current(
    session: Session, services: Services, document: Document, caller: Caller, *, ip: str | None
) -> dict[str, Any] | None:
    """:func:`verify_pdf` of the document's newest revision; ``None`` before anything is rendered."""
    if document.current_revision < 0:
        return None
    data = read_revision(session, services.store, document, document.current_revision)
    return verify_pdf(session, services, data, caller, ip=ip)


def reading(document: Document, result: dict[str, Any] | None) -> dict[str, Any]:
    """What a person reads first about a verification, without jargon.

    ``state`` is ``"none"`` (nothing rendered yet), ``"unsigned"`` (no official has signed the
    file: the draft, revision 0, or only the service's seal), ``"invalid"`` (a signature fails or
    the file changed after it), ``"partial"`` (valid so far, officials still to sign) or
    ``"complete"`` (signed by every official, intact). Only ``"complete"`` may read as green.
    """
    if result is None:
        return {"state": "none", "signed": [], "total": len(document.signers), "sealed": False}
    officials = [s for s in result["signatures"] if not s["certification"]]
    sealed = any(s["certification"] for s in result["signatures"])
    signed = [
        {"nama": s["signer"], "role": s["role"], "at": s["timestamp"] or s["signing_time"]} for s in officials
    ]
    total = len(document.signers)
    # A file without any signature is "not ok" to the validator: it is unsigned, not invalid.
    if not all(s["ok"] for s in result["signatures"]) or (result["signatures"] and not result["ok"]):
        state = "invalid"
    elif not officials:
        state = "unsigned"
    elif document.status == "completed" and len(officials) >= total:
        state = "complete"
    else:
        state = "partial"
    return {"state": state, "signed": signed, "total": total, "sealed": sealed}
