"""The api.md representation of a document, shared by API answers and webhook bodies."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from service.models import Document, Signer, as_utc
from service.settings import PublicUrls
from service.workflow.links import live_token

__all__ = ["document_dict", "sign_url"]


def sign_url(signer: Signer, *, urls: PublicUrls, secret: str, now: datetime) -> str | None:
    """The live signing link of the signer whose turn it is; ``None`` for everyone else."""
    token = live_token(signer, secret=secret, now=now)
    return urls.sign(token) if token else None


def document_dict(
    document: Document, *, urls: PublicUrls, secret: str, links: bool, now: datetime
) -> dict[str, Any]:
    """The api.md representation of a document.

    :param links: show the live ``sign_url`` (only to the client that created the document: a link
        lets whoever holds it act as the official).
    """
    base = f"/api/v1/documents/{document.id}"
    body: dict[str, Any] = {
        "id": document.id,
        "status": document.status,
        "type": document.type,
        "regime": document.regime,
        "hasil": json.loads(document.hasil_json),
        "verification_code": document.verification_code,
        "instansi": document.instansi,
        "revision": document.current_revision if document.current_revision >= 0 else None,
        "signers": [
            {
                "urutan": s.urutan,
                "peran": s.peran,
                "nama": s.nama,
                "nip": s.nip,
                "status": s.status,
                "penyedia": s.penyedia,
                "signed_at": as_utc(s.signed_at).isoformat() if s.signed_at else None,
                "sign_url": sign_url(s, urls=urls, secret=secret, now=now) if links else None,
            }
            for s in document.signers
        ],
        "created_at": as_utc(document.created_at).isoformat(),
        "links": {
            "self": base,
            "pdf": f"{base}/pdf",
            "docx": f"{base}/docx",
            "audit": f"{base}/audit",
            "verify": urls.verify_path(document.verification_code),
        },
    }
    if document.failure_reason:
        body["failure_reason"] = document.failure_reason
    return body
