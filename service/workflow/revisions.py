"""Adding a PDF revision: file first (atomic, never overwriting), then one guarded row update.

The database row is the single point of truth. :func:`add_revision` writes the file and moves the
document with ``UPDATE … WHERE current_revision = n``, then only flushes: the operation that called
it adds its status change and audit event and commits them together with the revision, or not at
all. A process killed before that commit leaves an orphan file under a name nobody refers to, and
the document stays at its last good revision. Two writers racing from the same revision both write
their own file, and only one conditional update succeeds.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import update
from sqlalchemy.orm import Session

from service.errors import ConflictError
from service.interfaces import DocumentStore
from service.models import Document, Revision, utcnow

__all__ = ["RevisionConflictError", "add_revision", "read_revision"]


class RevisionConflictError(ConflictError):
    """Someone else added a revision first."""

    slug = "concurrent-change"


def read_revision(session: Session, store: DocumentStore, document: Document, number: int) -> bytes:
    """The bytes of revision ``number`` (``NoResultFound`` when there is none)."""
    revision = session.query(Revision).filter_by(document_id=document.id, number=number).one()
    return store.get(document.id, revision.filename)


def add_revision(
    session: Session,
    store: DocumentStore,
    document: Document,
    *,
    data: bytes,
    kind: str,
    based_on: int,
    require_status: str | None = None,
) -> Revision:
    """Store ``data`` as revision ``based_on + 1`` and flush it, or raise :class:`RevisionConflictError`.

    The caller commits (with its status change and audit event) or rolls back. ``require_status``
    also makes the update conditional on the document's status, so a signature cannot land on a
    document that was rejected or cancelled while it was being made.
    """
    number = based_on + 1
    filename = f"rev-{number:04d}-{secrets.token_hex(4)}.pdf"
    store.put(document.id, filename, data)
    guard = [Document.id == document.id, Document.current_revision == based_on]
    if require_status is not None:
        guard.append(Document.status == require_status)
    moved = session.execute(
        update(Document)
        .where(*guard)
        .values(current_revision=number, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise RevisionConflictError(
            "Dokumen telah berubah oleh proses lain; muat ulang dan coba lagi.",
            document_id=document.id,
        )
    revision = Revision(
        document_id=document.id,
        number=number,
        kind=kind,
        filename=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )
    session.add(revision)
    document.current_revision = number
    session.flush()
    return revision
