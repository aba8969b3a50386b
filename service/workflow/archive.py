"""Archive search: newest first, keyset (cursor) pagination, filters that use the indexes."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select, tuple_
from sqlalchemy.orm import Session

from service.errors import UnprocessableError
from service.models import Document

__all__ = ["ArchiveQuery", "SearchPage", "search"]

MAX_LIMIT = 100


@dataclass(frozen=True, kw_only=True)
class ArchiveQuery:
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
        raise UnprocessableError(errors=[{"field": "cursor", "message": "kursor tidak valid"}]) from None


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
