"""Archive search: newest first, keyset (cursor) pagination, filters that use the indexes.

Words of the pegawai's name and of the unit's name match as word prefixes ("kepeg" finds "Biro
Kepegawaian"), every word must match; a NIP matches by prefix. Full text by dialect (migration 0012):
a GIN-indexed ``tsvector`` on PostgreSQL, an FTS5 table on SQLite.

The signer filters ask about the rows of ``signers`` (migration 0013's ``(nip, status)`` index):
``signer_nip`` names a whole NIP (or a pejabat negara's NIK), ``signer_status`` a signer's status,
both together one signer ("what is waiting for NIP X"). ``updated_since`` keeps the documents changed
at or after a moment (every operation that changes a document or one of its signers moves
``updated_at``).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    bindparam,
    cast,
    column,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session

from service import audit
from service.jsonio import parse_json
from service.models import ApiClient, AuditEvent, Document, Signer
from service.schemas.requests import ArchiveQuerySchema
from service.scoring.vocabulary import CONFIDENTIAL_TYPES
from service.services import Services
from service.tenancy import Caller
from service.workflow.history import HISTORY_FILE
from service.workflow.operations import StoredFile, document_file, get_document
from service.workflow.pipeline import DOCX_FILE
from service.workflow.verification import verify_current

__all__ = [
    "FILE_NAMES",
    "ArchiveQuery",
    "DocumentRecord",
    "ResultRow",
    "SearchPage",
    "document_record",
    "download_file",
    "search",
    "search_documents",
    "search_results",
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
    signer_nip: str | None = None
    signer_status: str | None = None
    updated_since: datetime | None = None
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


#: A word as both full-text parsers split text: letters and digits (``Ma'ruf`` is ``ma`` ``ruf``).
_WORD = re.compile(r"[^\W_]+")
#: Words of one search box that are looked up (more narrow nothing a person would type).
MAX_WORDS = 8


def words(text: str) -> list[str]:
    """The words of ``text`` as the indexes hold them: lower case, at most :data:`MAX_WORDS`."""
    return _WORD.findall(text.casefold())[:MAX_WORDS]


def _nip_prefix(stmt: Select[Any], nip: str, dialect: str) -> Select[Any]:
    if len(nip) == 18:  # a whole NIP: the (nip, created_at) index gives the rows already in order
        return stmt.where(Document.pegawai_nip == nip)
    # Digits only (schema), so no wildcard can come from the user. GLOB is case-sensitive, which
    # lets SQLite use the BINARY index; LIKE uses ``varchar_pattern_ops`` on PostgreSQL.
    if dialect == "sqlite":
        return stmt.where(Document.pegawai_nip.op("GLOB")(nip + "*"))
    return stmt.where(Document.pegawai_nip.like(nip + "%"))


def _pg_lexeme(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def _pg_terms(found: list[str], weight: str) -> list[str]:
    # The last word is a prefix (the one being typed); the others whole words, which the GIN index
    # intersects without expanding a short prefix such as "kota" into every word that starts so.
    return [
        f"{_pg_lexeme(w)}{':*' if i == len(found) - 1 else ':'}{weight}".rstrip(":")
        for i, w in enumerate(found)
    ]


def _pg_tsquery(nama: list[str], unit: list[str], any_: list[str]) -> ColumnElement[Any]:
    """One ``tsquery`` for migration 0012's ``search_vector``: name words weight A, unit words B."""
    terms = [*_pg_terms(nama, "A"), *_pg_terms(unit, "B"), *_pg_terms(any_, "")]
    return cast(bindparam("archive_words", " & ".join(terms), type_=String), TSQUERY)


def _pg_match(nama: list[str], unit: list[str], any_: list[str]) -> ColumnElement[bool]:
    return literal_column("documents.search_vector").op("@@")(_pg_tsquery(nama, unit, any_))


def _fts5_terms(found: list[str], column_name: str | None) -> list[str]:
    where = f"{column_name} : " if column_name else ""
    return [
        f'{where}"{w.replace(chr(34), chr(34) * 2)}"{"*" if i == len(found) - 1 else ""}'
        for i, w in enumerate(found)
    ]


def _sqlite_match(nama: list[str], unit: list[str], any_: list[str]) -> ColumnElement[bool]:
    parts = [*_fts5_terms(nama, "pegawai_nama"), *_fts5_terms(unit, "unit_kerja"), *_fts5_terms(any_, None)]
    fts = table("documents_fts", column("document_id"))
    match = literal_column("documents_fts").op("MATCH")(bindparam("archive_words", " AND ".join(parts)))
    found = select(fts.c.document_id).where(match)
    return Document.id.in_(found)


def _by_words(stmt: Select[Any], query: ArchiveQuery, dialect: str, *, match: bool = True) -> Select[Any]:
    """The word searches (``nama``, ``unit_kerja``, ``q``); ``q`` of digits only is a NIP prefix.
    ``match=False``: everything but the full-text match itself (the probe of :func:`search`).
    """
    q = (query.q or "").strip()
    if q.isascii() and q.isdigit():
        stmt = _nip_prefix(stmt, q[:18], dialect)
        q = ""
    nama, unit, any_ = words(query.nama or ""), words(query.unit_kerja or ""), words(q)
    if (query.nama and not nama) or (query.unit_kerja and not unit) or (q and not any_):
        # Only punctuation: there is no word to look for, so nothing matches (not everything).
        return stmt.where(literal_column("1") == 0)
    if not (nama or unit or any_) or not match:
        return stmt
    if dialect == "postgresql":
        return stmt.where(_pg_match(nama, unit, any_))
    return stmt.where(_sqlite_match(nama, unit, any_))


def _has_words(query: ArchiveQuery) -> bool:
    q = (query.q or "").strip()
    return bool(words(query.nama or "") or words(query.unit_kerja or "") or (words(q) and not q.isdigit()))


def _by_signer(stmt: Select[Any], query: ArchiveQuery) -> Select[Any]:
    """Documents with a signer of ``signer_nip`` and/or ``signer_status`` (the same signer when both
    are given). The signer row holds who signs now: after a delegation, the Plt/Plh's NIP, so "what
    is waiting for NIP X" finds a Plt's turn; the official they replace is no longer matched.
    """
    if query.signer_nip:
        # Few rows of one official: their documents from the (nip, status) index, then sorted.
        signers = select(Signer.document_id).where(Signer.nip == query.signer_nip)
        if query.signer_status:
            signers = signers.where(Signer.status == query.signer_status)
        return stmt.where(Document.id.in_(signers))
    if query.signer_status:
        # A status alone holds a large share of all signers (every "signed" one): each document's own
        # signers are looked at (the document_id index) while its documents are read newest first,
        # which ends with the page instead of collecting every such signer first.
        return stmt.where(
            exists().where(Signer.document_id == Document.id, Signer.status == query.signer_status)
        )
    return stmt


def _in_tenancy(stmt: Select[Any], caller: Caller) -> Select[Any]:
    if caller.tenancy.keys is not None:
        stmt = stmt.where(Document.instansi_key.in_(sorted(caller.tenancy.keys)))
    return stmt


def _since(moment: datetime) -> ColumnElement[bool]:
    # In UTC, as every timestamp is stored: SQLite compares the text and drops the offset.
    return Document.updated_at >= moment.astimezone(UTC)


def _changed(since: datetime, caller: Caller) -> Select[Any]:
    """The ids of the documents changed since ``since`` within the tenancy: a range of migration
    0013's ``(instansi_key, updated_at, id)`` index, read without the table.
    """
    return _in_tenancy(select(Document.id), caller).where(_since(since))


#: An ``updated_since`` that keeps at most this many documents of the tenancy (polling "what
#: changed since T" a little after T) is served from the ``updated_at`` index and the few rows
#: sorted; beyond it the matches are dense enough to be met walking the newest documents.
FEW_CHANGES = 2000


def _few_changes(session: Session, query: ArchiveQuery, caller: Caller) -> bool:
    """Whether :func:`_changed` holds at most :data:`FEW_CHANGES` ids (an index range, cut short).

    Without it SQLite's planner, which cannot tell a range of ``updated_at`` from another, walks
    the newest documents in order hoping to fill the page soon, and reads every row of the tenancy
    when T is a minute ago and nothing, or one document, changed (100,000 documents: 80 ms in the
    largest tenancy, 300 ms for an operator, against about 1 ms from the index).
    """
    if query.updated_since is None:
        return False
    found = _changed(query.updated_since, caller).limit(FEW_CHANGES + 1).subquery("changed")
    count = session.scalar(select(func.count()).select_from(found))
    return (count or 0) <= FEW_CHANGES


def _filtered(
    stmt: Select[Any],
    query: ArchiveQuery,
    caller: Caller,
    dialect: str,
    *,
    match: bool,
    probe: bool = False,
    few_changes: bool = False,
) -> Select[Any]:
    stmt = _in_tenancy(stmt, caller)
    if caller.client_id is not None and not caller.archive:
        stmt = stmt.where(Document.client_id == caller.client_id)
    elif not caller.konseling:
        # Confidential records: only their own client's, as Caller.may_read has it.
        own = Document.client_id == caller.client_id if caller.client_id is not None else false()
        stmt = stmt.where(or_(Document.type.not_in(sorted(CONFIDENTIAL_TYPES)), own))
    if query.nip:
        stmt = _nip_prefix(stmt, query.nip, dialect)
    if query.periode and probe:
        # A range of one year, not an equality: the planner then keeps periode in the sort key and
        # reads a (…, periode_tahun, created_at, id) index in order (see :func:`probe_query`).
        stmt = stmt.where(Document.periode_tahun.between(query.periode, query.periode))
    elif query.periode:
        stmt = stmt.where(Document.periode_tahun == query.periode)
    if query.type:
        stmt = stmt.where(Document.type == query.type)
    if query.status:
        stmt = stmt.where(Document.status == query.status)
    if query.updated_since is not None:
        stmt = stmt.where(_since(query.updated_since))
        if few_changes:
            stmt = stmt.where(Document.id.in_(_changed(query.updated_since, caller)))
    stmt = _by_signer(stmt, query)
    stmt = _by_words(stmt, query, dialect, match=match)
    if query.cursor:
        at, document_id = _decode(query.cursor)
        # Row-value comparison: one range on the (…, created_at) indexes, where the equivalent
        # ``a < x OR (a = x AND id < y)`` makes SQLite sort every remaining row of the filter.
        stmt = stmt.where(tuple_(Document.created_at, Document.id) < tuple_(at, document_id))
    return stmt


def build_query(
    query: ArchiveQuery, caller: Caller, dialect: str = "sqlite", *, few_changes: bool = False
) -> Select[Document]:
    """The SELECT for ``query`` within what ``caller`` may read (:meth:`Caller.may_read`) on
    ``dialect``; bound parameters only, so search text can never become SQL. ``few_changes``: the
    documents changed since ``updated_since`` are few (:func:`_few_changes`), start from them.
    """
    stmt = _filtered(select(Document), query, caller, dialect, match=True, few_changes=few_changes)
    return stmt.order_by(Document.created_at.desc(), Document.id.desc())


#: Rows of the newest of the filtered set the PostgreSQL probes read, one after the other (see
#: :func:`probe_query`): most searches end after the first, a rarer match after the second.
PROBE_ROWS = (2000, 25000)


def probe_query(query: ArchiveQuery, caller: Caller, limit: int, rows: int = PROBE_ROWS[0]) -> Select[Any]:
    """PostgreSQL, words given: the ids of the first ``limit`` matches among the newest ``rows``
    rows of the other filters, read in order along a (…, created_at) index; within a tenancy an
    index-only scan (migration 0012's ``ix_documents_search_recent*`` carry the words).

    The planner estimates a match of several words as if the words were unrelated ("biro pekerjaan
    umum" finds ~1000 times the rows it expects), so left alone it takes the GIN index for a common
    match and fetches every matching row to sort them. When the probe finds ``limit`` rows, they are
    the answer (no match newer than them is outside the newest rows); when it does not, the matches
    are sparse and the full query, which the GIN index then serves well, runs instead.
    """
    searched: ColumnElement[Any] = literal_column("documents.search_vector").label("search_vector")
    # With a periode, ordered by it first (one value, so the same order): the only index that gives
    # that order is one with periode before created_at. By created_at alone the planner would walk
    # the created_at index from the newest row, expecting the periode's rows to be spread evenly
    # over time when they are all in one stretch of it (857,880 rows read for periode 2019).
    order: list[Any] = [Document.created_at.desc(), Document.id.desc()]
    if query.periode:
        order.insert(0, Document.periode_tahun.desc())
    recent = (
        _filtered(
            select(Document.id, Document.created_at, searched),
            query,
            caller,
            "postgresql",
            match=False,
            probe=True,
        )
        .order_by(*order)
        .limit(rows)
        .subquery("recent")
    )
    return (
        select(recent.c.id)
        .where(recent.c.search_vector.op("@@")(_pg_tsquery(*_split_words(query))))
        .order_by(recent.c.created_at.desc(), recent.c.id.desc())
        .limit(limit)
    )


def _split_words(query: ArchiveQuery) -> tuple[list[str], list[str], list[str]]:
    q = (query.q or "").strip()
    any_ = [] if q.isascii() and q.isdigit() else words(q)
    return words(query.nama or ""), words(query.unit_kerja or ""), any_


def search(session: Session, query: ArchiveQuery, caller: Caller) -> SearchPage:
    """One page of the results ``caller`` may read."""
    limit = max(1, min(query.limit, MAX_LIMIT))
    dialect = session.get_bind().dialect.name
    rows: list[Document] | None = None
    if dialect == "postgresql" and _has_words(query):
        for probe_rows in PROBE_ROWS:
            ids = list(session.scalars(probe_query(query, caller, limit + 1, probe_rows)))
            if len(ids) > limit:
                ordered = select(Document).where(Document.id.in_(ids))
                rows = list(session.scalars(ordered.order_by(Document.created_at.desc(), Document.id.desc())))
                break
    few = _few_changes(session, query, caller) if rows is None else False
    if rows is None and dialect == "postgresql" and _has_words(query):
        # Sparse matches: from the GIN index and sorted, never by walking an ordered index that
        # the planner, misjudging how the filters correlate with time, hopes to stop early on.
        session.execute(text("SET LOCAL enable_indexscan = off"))
        rows = list(session.scalars(build_query(query, caller, dialect, few_changes=few).limit(limit + 1)))
        session.execute(text("SET LOCAL enable_indexscan = on"))
    if rows is None:
        rows = list(session.scalars(build_query(query, caller, dialect, few_changes=few).limit(limit + 1)))
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
class ResultRow:
    """One search result with what tells it apart from another of the same title: the payload's
    periode (dates, not only the year), the result, and the HR client that sent it.
    """

    document: Document
    payload: Mapping[str, Any]
    hasil: Mapping[str, Any]
    client: str


def _json_object(text: str) -> Mapping[str, Any]:
    try:
        value = parse_json(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def search_results(
    session: Session, args: Mapping[str, Any], caller: Caller
) -> tuple[SearchPage, list[ResultRow]]:
    """:func:`search_documents`, each result with its client's name (one query for the page)."""
    page = search_documents(session, args, caller)
    ids = {d.client_id for d in page.items}
    found = session.execute(select(ApiClient.id, ApiClient.name).where(ApiClient.id.in_(ids)))
    names: dict[int, str] = {row.id: row.name for row in found}
    rows = [
        ResultRow(
            document=d,
            payload=_json_object(d.payload_json),
            hasil=_json_object(d.hasil_json),
            client=names.get(d.client_id, "-"),
        )
        for d in page.items
    ]
    return page, rows


@dataclass(frozen=True)
class DocumentRecord:
    """What an archivist sees of one document: it, its verification now, its audit trail, which
    revision is final (the newest of a completed document) and which other files exist.
    """

    document: Document
    verification: dict[str, Any] | None
    events: Sequence[AuditEvent]
    final_revision: int | None = None
    files: Mapping[str, bool] = field(default_factory=dict)
    payload: Mapping[str, Any] = field(default_factory=dict)


def document_record(
    session: Session, services: Services, document_id: str, caller: Caller, *, ip: str | None
) -> DocumentRecord:
    """The archive's page of a document; verifying its newest revision is recorded (``verified``)."""
    document = get_document(session, document_id, caller)
    verification = verify_current(session, services, document, caller, ip=ip)
    return DocumentRecord(
        document=document,
        verification=verification,
        events=audit.document_events(session, document.id),
        final_revision=document.current_revision if document.status == "completed" else None,
        files={kind: services.store.exists(document.id, name) for kind, name in FILE_NAMES.items()},
        payload=_json_object(document.payload_json),
    )


#: The files beside the PDF an archivist may download, by kind: the Word form and the riwayat.
FILE_NAMES: Mapping[str, str] = {"docx": DOCX_FILE, "riwayat": HISTORY_FILE}


def download_file(
    session: Session, services: Services, document_id: str, kind: str, caller: Caller, *, ip: str | None
) -> StoredFile:
    """The Word form or the riwayat of a document the caller may read; audited (``downloaded``).

    :raises NotFoundError: no such document for the caller, or the file is not made yet.
    """
    document = get_document(session, document_id, caller)
    stored = document_file(services, document, kind)
    audit.record(
        session, event="downloaded", actor=caller.actor, document_id=document.id, ip=ip, data={"format": kind}
    )
    session.commit()
    return stored
