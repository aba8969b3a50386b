"""Archive search: newest first, keyset (cursor) pagination, filters that use the indexes."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import Select, or_, select, tuple_
from sqlalchemy.orm import Session

from service import audit
from service.errors import ForbiddenError
from service.models import ApiClient, AuditEvent, Document
from service.schemas.requests import ArchiveQuerySchema
from service.services import Services
from service.workflow.operations import get_document
from service.workflow.verification import verify_current

__all__ = [
    "ArchiveQuery",
    "DocumentRecord",
    "SearchPage",
    "document_record",
    "search",
    "search_documents",
]

_query_schema = ArchiveQuerySchema()

MAX_LIMIT = 100


@dataclass(frozen=True, kw_only=True)
class ArchiveQuery:
    """A validated archive search (:class:`~service.schemas.requests.ArchiveQuerySchema`)."""

    nip: str | None = None
    nama: str | None = None
    unit_kerja: str | None = None
    periode: int | None = None
    type: str | None = None
    status: str | None = None
    q: str | None = None
    cursor: str | None = None
    limit: int = 20


@dataclass(frozen=True)
class SearchPage:
    """One page of results, newest first, and the cursor of the next page."""

    items: Sequence[Document]
    next_cursor: str | None


def _encode(document: Document) -> str:
    raw = f"{document.created_at.isoformat()}|{document.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, document_id = raw.partition("|")
        return datetime.fromisoformat(at), document_id
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationError({"cursor": ["kursor tidak valid"]}) from None


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def build_query(query: ArchiveQuery, *, client_id: int | None = None) -> Select[Document]:
    """The SELECT for ``query``; bound parameters only, so search text can never become SQL."""
    stmt = select(Document)
    if client_id is not None:
        stmt = stmt.where(Document.client_id == client_id)
    if query.nip:
        stmt = stmt.where(Document.pegawai_nip == query.nip)
    if query.unit_kerja:
        stmt = stmt.where(Document.unit_kerja == query.unit_kerja)
    if query.periode:
        stmt = stmt.where(Document.periode_tahun == query.periode)
    if query.type:
        stmt = stmt.where(Document.type == query.type)
    if query.status:
        stmt = stmt.where(Document.status == query.status)
    if query.nama:
        stmt = stmt.where(Document.pegawai_nama.ilike(_like(query.nama), escape="\\"))
    if query.q:
        pattern = _like(query.q)
        stmt = stmt.where(
            or_(
                Document.pegawai_nama.ilike(pattern, escape="\\"),
                Document.pegawai_nip.like(pattern, escape="\\"),
                Document.unit_kerja.ilike(pattern, escape="\\"),
            )
        )
    if query.cursor:
        at, document_id = _decode(query.cursor)
        # Row-value comparison: one range on the (…, created_at) indexes, where the equivalent
        # ``a < x OR (a = x AND id < y)`` makes SQLite sort every remaining row of the filter.
        stmt = stmt.where(tuple_(Document.created_at, Document.id) < tuple_(at, document_id))
    return stmt.order_by(Document.created_at.desc(), Document.id.desc())


def search(session: Session, query: ArchiveQuery, *, client_id: int | None = None) -> SearchPage:
    """One page of results; ``client_id`` limits them to that client's own documents."""
    limit = max(1, min(query.limit, MAX_LIMIT))
    rows = list(session.scalars(build_query(query, client_id=client_id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return SearchPage(items=rows, next_cursor=_encode(rows[-1]) if more and rows else None)


def search_documents(session: Session, args: Mapping[str, Any], *, client: ApiClient | None) -> SearchPage:
    """Validate a search and run it; an API client sees only its own documents unless it may read
    the archive (``client=None``: an archivist).

    :raises marshmallow.ValidationError: a bad parameter (a wrong value never widens the search).
    :raises ForbiddenError: the client may read neither its documents nor the archive.
    """
    client_id = None
    if client is not None:
        if not {"archive:read", "documents:read"} & client.scope_set:
            raise ForbiddenError("Kunci API ini tidak memiliki cakupan: archive:read.")
        if "archive:read" not in client.scope_set:
            client_id = client.id
    query = ArchiveQuery(**_query_schema.load(args))
    return search(session, query, client_id=client_id)


@dataclass(frozen=True)
class DocumentRecord:
    """What an archivist sees of one document: it, its verification now, and its audit trail."""

    document: Document
    verification: dict[str, Any] | None
    events: Sequence[AuditEvent]


def document_record(
    session: Session, services: Services, document_id: str, *, actor: str, ip: str | None
) -> DocumentRecord:
    """The archive's page of a document; verifying its newest revision is recorded (``verified``)."""
    document = get_document(session, document_id)
    verification = verify_current(session, services, document, actor=actor, ip=ip)
    return DocumentRecord(
        document=document, verification=verification, events=audit.document_events(session, document.id)
    )
