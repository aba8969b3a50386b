"""SQLAlchemy models. Writes happen in ``*/operations.py``, never in the models themselves."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.orm import Base

__all__ = [
    "ApiClient",
    "AuditEvent",
    "Base",
    "Document",
    "Revision",
    "Signer",
    "SignerKey",
    "User",
    "WebhookDelivery",
    "as_utc",
    "utcnow",
]


def utcnow() -> datetime:
    """The current time, aware, in UTC (column defaults)."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """An aware UTC time: SQLite hands timestamps back naive (they were stored as UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class ApiClient(Base):
    """An HR system allowed to call ``/api/v1``. The key itself is never stored, only its hash."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    #: Public part of the key, used to find the row without scanning hashes.
    key_prefix: Mapped[str] = mapped_column(String(16), unique=True)
    #: SHA-256 of the whole key (the key carries 256 random bits, so no slow KDF is needed).
    key_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(200))
    #: Secret for the HMAC of webhook bodies (X-SKP-Signature).
    webhook_secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def scope_set(self) -> frozenset[str]:
        """The scopes as a set."""
        return frozenset(self.scopes.split())


class Document(Base):
    """One official form for one pegawai and period, from payload to the last signature."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("client_id", "idempotency_key", name="uq_documents_idempotency"),
        Index("ix_documents_nip_created", "pegawai_nip", "created_at"),
        Index("ix_documents_unit_periode", "unit_kerja", "periode_tahun", "created_at"),
        Index("ix_documents_created", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id"))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    #: SHA-256 of the canonical request body, to tell a replay from a different body.
    request_hash: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(30))
    regime: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(30), index=True)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    #: The request body exactly as received: nothing a client sent is dropped or rewritten.
    payload_json: Mapped[str] = mapped_column(Text)
    #: The validated payload (:mod:`service.schemas.stored`); NULL for documents created before it.
    payload_validated: Mapped[str | None] = mapped_column(Text)
    hasil_json: Mapped[str] = mapped_column(Text)
    verification_code: Mapped[str] = mapped_column(String(40), unique=True)
    pegawai_nip: Mapped[str] = mapped_column(String(18))
    pegawai_nama: Mapped[str] = mapped_column(String(200))
    unit_kerja: Mapped[str] = mapped_column(String(300))
    periode_tahun: Mapped[int] = mapped_column(Integer)
    #: Number of the newest stored PDF revision; -1 while nothing is rendered.
    current_revision: Mapped[int] = mapped_column(Integer, default=-1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    signers: Mapped[list[Signer]] = relationship(
        back_populates="document", order_by="Signer.urutan", cascade="all, delete-orphan"
    )
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="document", order_by="Revision.number", cascade="all, delete-orphan"
    )


class Signer(Base):
    """A signer of a document in its fixed turn (pegawai → pejabat penilai → atasan)."""

    __tablename__ = "signers"
    __table_args__ = (UniqueConstraint("document_id", "urutan", name="uq_signers_urutan"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    urutan: Mapped[int] = mapped_column(Integer)
    peran: Mapped[str] = mapped_column(String(40))
    nama: Mapped[str] = mapped_column(String(200))
    nip: Mapped[str] = mapped_column(String(18))
    jabatan: Mapped[str] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    field_name: Mapped[str] = mapped_column(String(60))
    #: Per-link nonce; the token is an HMAC of it under the server key, so the table alone
    #: never reveals a usable link. A new nonce (re-issue) kills the old link.
    link_nonce: Mapped[str | None] = mapped_column(String(64))
    link_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    link_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    #: Plt/Plh: the official who signs in this role instead (JSON of nama, nip, jabatan).
    delegate_json: Mapped[str | None] = mapped_column(Text)

    document: Mapped[Document] = relationship(back_populates="signers")


class SignerKey(Base):
    """A signer's key: PKCS#12 encrypted under the passphrase only the signer knows."""

    __tablename__ = "signer_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), unique=True)
    p12: Mapped[bytes] = mapped_column(LargeBinary)
    certificate_pem: Mapped[str] = mapped_column(Text)
    #: ``issued`` by the instance CA, or ``uploaded`` by the signer.
    source: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Revision(Base):
    """A stored PDF revision; rows are only ever added, files never overwritten."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("document_id", "number", name="uq_revisions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    #: Unique per write, so a crashed attempt's orphan file never blocks the next attempt.
    filename: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    document: Mapped[Document] = relationship(back_populates="revisions")


class AuditEvent(Base):
    """Append-only, hash-chained record of every state change and signature."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[str | None] = mapped_column(String(40), index=True)
    event: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(64))
    data_json: Mapped[str] = mapped_column(Text, default="{}")
    #: Unique, so two writers racing for the same predecessor cannot fork the chain.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class WebhookDelivery(Base):
    """Outbox row: written in the same transaction as the change it reports, sent afterwards."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_due", "delivered_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[str] = mapped_column(String(40), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id"))
    event: Mapped[str] = mapped_column(String(40))
    url: Mapped[str] = mapped_column(String(2000))
    body: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class User(Base):
    """A person who logs in to the web pages (archivists)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(30))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
