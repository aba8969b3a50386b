"""The pegawai's link to the signed copy of a completed document: ``/salinan/<token>``.

The token is random (256 bits) and made when the completion mail is sent, so it exists only in that
message; the table keeps its SHA-256. It works until it expires (``DOWNLOAD_LINK_TTL_DAYS``), and
every download is audited.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit
from service.errors import NotFoundError
from service.models import Document, DownloadLink, as_utc
from service.services import Services
from service.workflow.links import LinkGoneError
from service.workflow.revisions import read_revision

__all__ = ["SignedCopy", "download_copy", "issue_download_link"]

#: Longer than any token this module makes; a longer one is refused before it is hashed.
_MAX_TOKEN = 100


@dataclass(frozen=True)
class SignedCopy:
    """The final PDF of a completed document, with the name it is offered under."""

    data: bytes
    filename: str
    mimetype: str = "application/pdf"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_download_link(session: Session, services: Services, document: Document, *, now: datetime) -> str:
    """A new token for the document's copy (the one before stops working); the caller commits."""
    token = secrets.token_urlsafe(32)
    expires = now + services.settings.download_link_ttl
    link = session.scalar(select(DownloadLink).where(DownloadLink.document_id == document.id))
    if link is None:
        session.add(
            DownloadLink(
                document_id=document.id, token_hash=_digest(token), created_at=now, expires_at=expires, uses=0
            )
        )
    else:
        link.token_hash, link.created_at, link.expires_at = _digest(token), now, expires
    audit.record(
        session,
        event="download_link_issued",
        actor="system",
        document_id=document.id,
        data={"expires_at": expires},
    )
    return token


def download_copy(session: Session, services: Services, token: str, *, ip: str | None) -> SignedCopy:
    """The signed copy a download link names; audited.

    :raises NotFoundError: not a token this service handed out (or one replaced since).
    :raises LinkGoneError: the link has expired (410).
    """
    unknown = NotFoundError("Tautan salinan tidak dikenal atau sudah diganti dengan tautan baru.")
    if not token or len(token) > _MAX_TOKEN:
        raise unknown
    link = session.scalar(select(DownloadLink).where(DownloadLink.token_hash == _digest(token)))
    if link is None:
        raise unknown
    now = services.clock.now()
    if as_utc(link.expires_at) <= now:
        raise LinkGoneError(
            "Tautan salinan ini sudah kedaluwarsa. Mintalah salinan kepada pengelola kepegawaian."
        )
    document = session.get(Document, link.document_id)
    if document is None or document.status != "completed":
        raise unknown
    data = read_revision(session, services.store, document, document.current_revision)
    link.uses += 1
    link.last_used_at = now
    audit.record(
        session,
        event="copy_downloaded",
        actor=f"pegawai:{document.pegawai_nip}",
        document_id=document.id,
        ip=ip,
        data={"revision": document.current_revision, "link": link.id},
    )
    session.commit()
    return SignedCopy(data=data, filename=f"{document.id}-ditandatangani.pdf")
