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
from service.models import AuditEvent, Document
from service.schemas.requests import ArchiveQuerySchema
from service.services import Services
from service.tenancy import Caller
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


def build_query(query: ArchiveQuery, caller: Caller) -> Select[Document]:
    """The SELECT for ``query`` within what ``caller`` may read (:meth:`Caller.may_read`); bound
    parameters only, so search text can never become SQL.
    """
    stmt = select(Document)
    if caller.tenancy.keys is not None:
        stmt = stmt.where(Document.instansi_key.in_(sorted(caller.tenancy.keys)))
    if caller.client_id is not None and not caller.archive:
        stmt = stmt.where(Document.client_id == caller.client_id)
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


def search(session: Session, query: ArchiveQuery, caller: Caller) -> SearchPage:
    """One page of the results ``caller`` may read."""
    limit = max(1, min(query.limit, MAX_LIMIT))
    rows = list(session.scalars(build_query(query, caller).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return SearchPage(items=rows, next_cursor=_encode(rows[-1]) if more and rows else None)


def search_documents(session: Session, args: Mapping[str, Any], caller: Caller) -> SearchPage:
    """Validate a search and run it within what ``caller`` may read: its tenancy, and for an API
    client without ``archive:read`` its own documents.

    :raises marshmallow.ValidationError: a bad parameter (a wrong value never widens the search).
    """
    query = ArchiveQuery(**_query_schema.load(args))
    return search(session, query, caller)


@dataclass(frozen=True)
class DocumentRecord:
    """What an archivist sees of one document: it, its verification now, and its audit trail."""

    document: Document
    verification: dict[str, Any] | None
    events: Sequence[AuditEvent]


def document_record(
    session: Session, services: Services, document_id: str, caller: Caller, *, ip: str | None
) -> DocumentRecord:
    """The archive's page of a document; verifying its newest revision is recorded (``verified``)."""
    document = get_document(session, document_id, caller)
    verification = verify_current(session, services, document, caller, ip=ip)
    return DocumentRecord(
        document=document, verification=verification, events=audit.document_events(session, document.id)
    )
