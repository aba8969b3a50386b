"""Adding a PDF revision: file first (atomic, never overwriting), then one guarded database commit.

The database row is the single point of truth. A process killed after the file is written but
before the commit leaves an orphan file under a name nobody refers to, and the document stays at
its last good revision, signable again. Two writers racing from the same revision both write their
own file, and only one conditional ``UPDATE … WHERE current_revision = n`` succeeds.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

from sqlalchemy import update
from sqlalchemy.orm import Session

from service.errors import ConflictError
from service.models import Document, Revision, utcnow
from service.storage import DocumentStore

__all__ = ["RevisionConflictError", "commit_revision", "read_revision"]


class RevisionConflictError(ConflictError):
    """Someone else added a revision first."""


def read_revision(session: Session, store: DocumentStore, document: Document, number: int) -> bytes:
    revision = session.query(Revision).filter_by(document_id=document.id, number=number).one()
    return store.get(document.id, revision.filename)


def commit_revision(
    session: Session,
    store: DocumentStore,
    document: Document,
    *,
    data: bytes,
    kind: str,
    based_on: int,
    require_status: str | None = None,
    before_commit: Callable[[Revision], None] | None = None,
) -> Revision:
    """Store ``data`` as revision ``based_on + 1`` and commit it, or raise :class:`RevisionConflictError`.

    ``before_commit`` runs inside the transaction after the revision row exists (status changes and
    audit events go there, so they commit together with the revision or not at all).
    ``require_status`` also makes the commit conditional on the document's status, so a signature
    cannot land on a document that was rejected or cancelled while it was being made.
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
        session.rollback()
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
    if before_commit is not None:
        before_commit(revision)
    session.commit()
    return revision
