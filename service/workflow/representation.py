"""The api.md representation of a document, shared by API answers and webhook bodies."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from service.models import Document, Signer, as_utc
from service.settings import PublicUrls
from service.workflow.links import live_token

__all__ = ["delegasi_dict", "document_dict", "penolakan_dict", "sign_url", "signer_dict"]


def sign_url(signer: Signer, *, urls: PublicUrls, secret: str, now: datetime) -> str | None:
    """The live signing link of the signer whose turn it is; ``None`` for everyone else."""
    token = live_token(signer, secret=secret, now=now)
    return urls.sign(token) if token else None


def _when(moment: datetime | None) -> str | None:
    return as_utc(moment).isoformat() if moment else None


def delegasi_dict(signer: Signer) -> dict[str, Any] | None:
    """The Plt/Plh who signs in ``signer``'s role, and the official they replace; ``None`` if nobody
    does. The signer row holds the Plt/Plh (``delegate_signer``), ``delegate_json`` the rest.
    """
    if not signer.delegate_json:
        return None
    delegation = json.loads(signer.delegate_json)
    semula = delegation.get("semula") or {}
    return {
        "jenis": delegation["jenis"],
        "nama": signer.nama,
        "nip": signer.nip,
        "jabatan": signer.jabatan,
        "keterangan": delegation.get("keterangan") or None,
        "semula": {key: semula.get(key) for key in ("nama", "nip", "jabatan")},
    }


def signer_dict(
    signer: Signer, *, urls: PublicUrls, secret: str, links: bool, now: datetime
) -> dict[str, Any]:
    """One signer as a document (and a webhook body) shows them.

    :param links: show the live ``sign_url`` (see :func:`document_dict`).
    """
    return {
        "urutan": signer.urutan,
        "peran": signer.peran,
        "nama": signer.nama,
        "nip": signer.nip,
        "status": signer.status,
        "penyedia": signer.penyedia,
        "signed_at": _when(signer.signed_at),
        "sign_url": sign_url(signer, urls=urls, secret=secret, now=now) if links else None,
        "delegasi": delegasi_dict(signer),
        "alasan": signer.reject_reason if signer.status == "rejected" else None,
    }


def penolakan_dict(document: Document) -> dict[str, Any] | None:
    """Who refused the document, why and when; ``None`` unless a signer refused it."""
    signer = next((s for s in document.signers if s.status == "rejected"), None)
    if signer is None:
        return None
    return {
        "urutan": signer.urutan,
        "peran": signer.peran,
        "nama": signer.nama,
        "alasan": signer.reject_reason,
        # The refusal uses the link: the moment it did is the moment of the refusal.
        "at": _when(signer.link_used_at),
    }


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
        "signers": [signer_dict(s, urls=urls, secret=secret, links=links, now=now) for s in document.signers],
        "penolakan": penolakan_dict(document),
        "created_at": as_utc(document.created_at).isoformat(),
        "updated_at": as_utc(document.updated_at).isoformat(),
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
