"""SQLAlchemy models. Writes happen in ``*/operations.py``, never in the models themselves."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.orm import Base
from service.tenancy import Tenancy, instansi_key

__all__ = [
    "ApiClient",
    "ApiKey",
    "AuditEvent",
    "AuditHead",
    "Base",
    "Document",
    "DocumentBatch",
    "DocumentBatchItem",
    "DownloadLink",
    "EnrollmentCode",
    "JobLease",
    "MailDelivery",
    "OfficialLoginLink",
    "OfficialSession",
    "Revision",
    "Signer",
    "SignerKey",
    "SigningBatch",
    "SigningBatchItem",
    "ThrottleCounter",
    "User",
    "WebSession",
    "WebhookDelivery",
    "as_utc",
    "modelled",
    "utcnow",
]


def utcnow() -> datetime:
    """The current time, aware, in UTC (column defaults)."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """An aware UTC time: SQLite hands timestamps back naive (they were stored as UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class ApiClient(Base):
    """An HR system allowed to call ``/api/v1``; its keys are :class:`ApiKey` rows.

    Documents, Idempotency-Keys and webhooks belong to the client, not to a key, so a key rotated
    (migration 0013) leaves a retry finding the document its first attempt made.
    """

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    scopes: Mapped[str] = mapped_column(String(200))
    #: Secret for the HMAC of webhook bodies (X-SKP-Signature).
    webhook_secret: Mapped[str] = mapped_column(String(64))
    #: The secret before the last rotation, still signing deliveries beside the new one until
    #: ``webhook_secret_previous_until`` (a receiver switches over without missing a delivery).
    webhook_secret_previous: Mapped[str | None] = mapped_column(String(64))
    webhook_secret_previous_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    webhook_secret_rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: PEM certificates that verify this client's receivers (their own CA), beside the system roots.
    webhook_ca_pem: Mapped[str | None] = mapped_column(Text)
    #: The instansi served (JSON list of names); ignored when ``all_instansi`` (an operator account).
    instansi_json: Mapped[str] = mapped_column(Text, default="[]")
    all_instansi: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def scope_set(self) -> frozenset[str]:
        """The scopes as a set."""
        return frozenset(self.scopes.split())

    def previous_secret_until(self, now: datetime) -> datetime | None:
        """The end of the previous secret's grace period, while it lasts; ``None`` otherwise."""
        until = self.webhook_secret_previous_until
        if self.webhook_secret_previous and until is not None and as_utc(until) > now:
            return as_utc(until)
        return None

    def webhook_secrets(self, now: datetime) -> list[str]:
        """The secrets a delivery is signed with now: the current one, then the previous one while
        its grace period lasts.
        """
        if self.webhook_secret_previous and self.previous_secret_until(now):
            return [self.webhook_secret, self.webhook_secret_previous]
        return [self.webhook_secret]

    @property
    def instansi(self) -> list[str]:
        """The instansi served as named; empty for an operator account (every instansi)."""
        names: list[str] = [] if self.all_instansi else json.loads(self.instansi_json)
        return names

    @property
    def tenancy(self) -> Tenancy:
        """The instansi this client serves."""
        return _tenancy(self.all_instansi, self.instansi_json)


class ApiKey(Base):
    """One API key of a client. The key itself is never stored, only its hash.

    A rotation gives the client a new key and lets the old one live until ``expires_at`` (the grace
    period), so an HR system can switch over without a moment of refused requests.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id"), index=True)
    #: Public part of the key, used to find the row without scanning hashes.
    key_prefix: Mapped[str] = mapped_column(String(16), unique=True)
    #: SHA-256 of the whole key (the key carries 256 random bits, so no slow KDF is needed).
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: End of the grace period of a key that was rotated; ``None`` while it is the current key.
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def live(self, now: datetime) -> bool:
        """Not revoked, and not past the end of its grace period."""
        return self.revoked_at is None and (self.expires_at is None or as_utc(self.expires_at) > now)


def _tenancy(every: bool, names_json: str) -> Tenancy:
    # An account with no instansi listed serves none (fails closed), not every one.
    return Tenancy.every() if every else Tenancy(keys=frozenset(map(instansi_key, json.loads(names_json))))


class Document(Base):
    """One official form for one pegawai (or one unit kerja) and period, from payload to the last
    signature.
    """

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("client_id", "idempotency_key", name="uq_documents_idempotency"),
        Index("ix_documents_nip_created", "pegawai_nip", "created_at"),
        Index("ix_documents_unit_periode", "unit_kerja", "periode_tahun", "created_at"),
        Index("ix_documents_created", "created_at"),
        # Migration 0012: a search within a tenancy (and a periode) reads its newest rows in order.
        Index("ix_documents_instansi_created", "instansi_key", "created_at", "id"),
        Index("ix_documents_instansi_periode_created", "instansi_key", "periode_tahun", "created_at", "id"),
        Index("ix_documents_periode_created", "periode_tahun", "created_at", "id"),
        # Migration 0013: "what changed since T" within a tenancy, and a batch's documents.
        Index("ix_documents_instansi_updated", "instansi_key", "updated_at", "id"),
        Index("ix_documents_updated", "updated_at", "id"),  # an operator's key: every instansi
        Index("ix_documents_batch", "batch_id", "status"),
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
    #: The payload's instansi as given, and its :func:`~service.tenancy.instansi_key` (tenancy).
    instansi: Mapped[str] = mapped_column(String(300))
    instansi_key: Mapped[str] = mapped_column(String(300), index=True)
    #: The pegawai the form is about; empty for a unit document (``UNIT_TYPES``: about a unit
    #: kerja, its pegawai listed in the payload), which :attr:`subjek` names by its unit instead.
    pegawai_nip: Mapped[str] = mapped_column(String(18))
    pegawai_nama: Mapped[str] = mapped_column(String(200))
    unit_kerja: Mapped[str] = mapped_column(String(300))
    periode_tahun: Mapped[int] = mapped_column(Integer)
    #: Number of the newest stored PDF revision; -1 while nothing is rendered.
    current_revision: Mapped[int] = mapped_column(Integer, default=-1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    #: The batch that created the document (:class:`DocumentBatch`), if one did.
    batch_id: Mapped[str | None] = mapped_column(String(40))
    #: When a batch's document was handed to the job runner; ``None`` while it waits its turn (the
    #: feeder keeps a few in flight, so a batch never queues ahead of single documents).
    batch_fed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    signers: Mapped[list[Signer]] = relationship(
        back_populates="document", order_by="Signer.urutan", cascade="all, delete-orphan"
    )
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="document", order_by="Revision.number", cascade="all, delete-orphan"
    )

    @property
    def subjek(self) -> str:
        """Whom the document is about, as mail subjects and pages name it ("a.n. …"): the pegawai,
        or for a unit document its unit kerja.
        """
        return self.pegawai_nama or f"Unit Kerja {self.unit_kerja}"


#: The archive search's dialect-specific objects (migration 0012), which no model describes: the
#: PostgreSQL ``search_vector`` column and its indexes, SQLite's FTS5 table and its shadow tables.
_SEARCH_OBJECTS = frozenset(
    {
        "search_vector",
        "ix_documents_search",
        "ix_documents_nip_prefix",
        "ix_documents_search_recent",
        "ix_documents_search_recent_periode",
    }
)


def modelled(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic ``include_object``: leave the archive search's own objects out of a comparison."""
    del obj, type_, reflected, compare_to
    return not (name in _SEARCH_OBJECTS or (name or "").startswith("documents_fts"))


class Signer(Base):
    """A signer of a document in its fixed turn (pegawai → pejabat penilai → atasan)."""

    __tablename__ = "signers"
    __table_args__ = (
        UniqueConstraint("document_id", "urutan", name="uq_signers_urutan"),
        # Migration 0013: "what is waiting for NIP X".
        Index("ix_signers_nip_status", "nip", "status"),
    )

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
    #: The nonce of the link whose expiry was last reported (audit, ``signer.link_expired``): once per link.
    expiry_reported_nonce: Mapped[str | None] = mapped_column(String(64))
    reject_reason: Mapped[str | None] = mapped_column(Text)
    #: Plt/Plh: the official who signs in this role instead (JSON of nama, nip, jabatan).
    delegate_json: Mapped[str | None] = mapped_column(Text)
    #: Who holds this signer's key: ``instansi``, ``p12``, ``bsre`` or ``csc`` (api.md).
    penyedia: Mapped[str] = mapped_column(String(20), default="instansi", server_default="instansi")
    #: What the provider needs to find the signer: JSON of ``nik`` (bsre) and ``credential_id`` (csc).
    sertifikat_json: Mapped[str | None] = mapped_column(Text)
    #: Where the form's signature block is, ``[page, x1, y1, x2, y2]`` (zero-based page, PDF points,
    #: origin bottom-left), set at rendering: BSrE draws its own field there.
    kotak_json: Mapped[str | None] = mapped_column(Text)

    document: Mapped[Document] = relationship(back_populates="signers")


_ACTIVE = "revoked_at IS NULL"


class SignerKey(Base):
    """An official's key within one instansi: PKCS#12 encrypted under the passphrase only the
    official knows. It belongs to the official (NIP), not to a link or a client; at most one key per
    official and instansi is active, re-enrollment revokes the one before (rows are kept).
    """

    __tablename__ = "signer_keys"
    __table_args__ = (
        Index(
            "uq_signer_keys_active",
            "instansi_key",
            "nip",
            unique=True,
            sqlite_where=text(_ACTIVE),
            postgresql_where=text(_ACTIVE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instansi_key: Mapped[str] = mapped_column(String(300))
    nip: Mapped[str] = mapped_column(String(18), index=True)
    p12: Mapped[bytes] = mapped_column(LargeBinary)
    certificate_pem: Mapped[str] = mapped_column(Text)
    #: ``issued`` by the instance CA, or ``uploaded`` by the signer.
    source: Mapped[str] = mapped_column(String(20))
    #: How the official proved who they are: ``email`` (a code sent to them), ``client`` (a code an
    #: HR client handed them, which vouches for it), or ``legacy`` (enrolled before codes existed).
    enrolled_via: Mapped[str] = mapped_column(String(20))
    #: The address the code went to (``email``); re-enrollment codes go there again.
    enrolled_email: Mapped[str | None] = mapped_column(String(300))
    vouched_by_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_clients.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EnrollmentCode(Base):
    """A one-time ``kode_verifikasi`` for one signer of one document: proof, at enrollment, that
    the person at the link is the official it names. Only an HMAC of the code is stored.
    """

    __tablename__ = "enrollment_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    signer_id: Mapped[int] = mapped_column(ForeignKey("signers.id"), index=True)
    code_hmac: Mapped[str] = mapped_column(String(64))
    #: ``email`` (sent to ``sent_to``) or ``client`` (handed to the HR client ``client_id``).
    channel: Mapped[str] = mapped_column(String(20))
    sent_to: Mapped[str | None] = mapped_column(String(300))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("api_clients.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


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


class JobLease(Base):
    """Which live process answers for a document's outstanding job, and until when (:mod:`service.leases`).

    A table of its own rather than columns on ``documents``: every heartbeat rewrites all the leases
    of its process, which on ``documents`` would bump ``updated_at`` (shown by the API) and rewrite
    the wide rows the API and the archive read; and a row lives only while its job is outstanding,
    so the sweep for expired leases reads a handful of rows however many documents there are.
    """

    __tablename__ = "job_leases"

    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    job: Mapped[str] = mapped_column(String(30), primary_key=True)
    #: ``queued`` (in its holder's thread pool, or on the broker for it) or ``running``.
    state: Mapped[str] = mapped_column(String(10))
    #: The process that answers for the job (``host/pid/nonce``); empty after the job failed.
    holder: Mapped[str] = mapped_column(String(200), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    #: Times the job was taken back from a dead holder; after a few it is given up (failed).
    reclaims: Mapped[int] = mapped_column(Integer, default=0)


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


class AuditHead(Base):
    """The hash of the newest audit event, in one row: appending updates it first, which holds a
    row lock (PostgreSQL) or the write lock (SQLite) until commit, so concurrent appends queue up
    instead of forking the chain.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    hash: Mapped[str] = mapped_column(String(64))
    events: Mapped[int] = mapped_column(Integer)


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
    #: The delivery this one sends again (a redelivery the client asked for), if it is one.
    redelivery_of: Mapped[int | None] = mapped_column(Integer)


class DocumentBatch(Base):
    """A batch of document payloads posted at once (``POST /api/v1/batches``)."""

    __tablename__ = "document_batches"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id"), index=True)
    #: Where ``batch.completed`` goes, if anywhere.
    callback_url: Mapped[str | None] = mapped_column(String(2000))
    total: Mapped[int] = mapped_column(Integer)
    #: Items refused at intake (each with its problem).
    refused: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: When no item was rendering any more (each is awaiting its signatures, failed, or final).
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    items: Mapped[list[DocumentBatchItem]] = relationship(
        order_by="DocumentBatchItem.position", cascade="all, delete-orphan"
    )


class DocumentBatchItem(Base):
    """One payload of a batch: the document it made (or found again), or the problem that refused it."""

    __tablename__ = "document_batch_items"

    batch_id: Mapped[str] = mapped_column(ForeignKey("document_batches.id"), primary_key=True)
    #: Zero-based index of the item in the posted list.
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The key as sent, as JSON text (ASCII): a refused item's key may be anything JSON holds.
    idempotency_key: Mapped[str] = mapped_column(Text)
    document_id: Mapped[str | None] = mapped_column(String(40), index=True)
    #: The RFC 9457 problem (JSON) when the item was refused.
    problem_json: Mapped[str | None] = mapped_column(Text)


class MailDelivery(Base):
    """Mail outbox row: written with the change that causes it, rendered and sent afterwards.

    It holds what the message is about (kind, document, signer), never a link token: the message
    is rendered at delivery, with the link recomputed then (:func:`service.workflow.links.token_for`).
    """

    __tablename__ = "mail_deliveries"
    __table_args__ = (Index("ix_mail_due", "sent_at", "dropped_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``turn``, ``reminder``, ``completed`` or ``refused`` (:mod:`service.workflow.mail`).
    kind: Mapped[str] = mapped_column(String(20))
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    #: The signer the message goes to (``None``: the pegawai of a completed document).
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("signers.id"))
    to: Mapped[str] = mapped_column(String(300))
    #: Makes a message that must go once (a reminder per link and day) unique; ``None`` otherwise.
    once_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Not sent because it no longer applies (the link was used, expired, locked, replaced).
    dropped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DownloadLink(Base):
    """The pegawai's link to the signed copy of a completed document (``/salinan/<token>``).

    One per document; the token is random and only its SHA-256 is kept. A new one (a mail sent
    again) replaces the hash, so only the newest link works; it may be used until it expires.
    """

    __tablename__ = "download_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    uses: Mapped[int] = mapped_column(Integer, default=0)


class User(Base):
    """A person who logs in to the web pages (archivists)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(30))
    #: Failed logins since the last success, unlock or end of a lockout.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    #: Logins are refused until then (set when ``failed_logins`` reaches the limit).
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The instansi served (JSON list of names); ignored when ``all_instansi`` (an operator account).
    instansi_json: Mapped[str] = mapped_column(Text, default="[]")
    all_instansi: Mapped[bool] = mapped_column(Boolean, default=False)
    #: May open konseling records (confidential: :data:`~service.scoring.vocabulary.CONFIDENTIAL_TYPES`).
    konseling: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def tenancy(self) -> Tenancy:
        """The instansi this archivist serves."""
        return _tenancy(self.all_instansi, self.instansi_json)


class WebSession(Base):
    """An archivist's signed-in browser: the cookie holds a random id, this row only its hash.

    Revoked on logout and on a password change; refused after the idle and absolute timeouts.
    """

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the cookie's random id (256 bits, so no slow KDF is needed).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ip: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: ``logout`` or ``password_changed``.
    revoke_reason: Mapped[str | None] = mapped_column(String(30))

    user: Mapped[User] = relationship()


class ThrottleCounter(Base):
    """Failures counted per key (``login:<address>``, ``sign:<address>``) in a fixed window.

    In the database, so every worker process counts into the same row.
    """

    __tablename__ = "throttle_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    count: Mapped[int] = mapped_column(Integer)


class OfficialSession(Base):
    """An official's signed-in browser on ``/kotak-masuk``: who they are within one instansi
    (``instansi_key``, NIP), proven by a signing link or a login link mailed to them. The cookie
    holds a random id, this row only its hash; refused after the idle and absolute timeouts.
    """

    __tablename__ = "official_sessions"
    __table_args__ = (Index("ix_official_sessions_official", "instansi_key", "nip"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the cookie's random id (256 bits, so no slow KDF is needed).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    instansi_key: Mapped[str] = mapped_column(String(300))
    nip: Mapped[str] = mapped_column(String(18))
    #: ``link`` (from a signing link) or ``email`` (a login link mailed to the official).
    via: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ip: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OfficialLoginLink(Base):
    """A one-time login link to the inbox mailed to an official; only the token's hash is kept."""

    __tablename__ = "official_login_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    instansi_key: Mapped[str] = mapped_column(String(300))
    nip: Mapped[str] = mapped_column(String(18))
    sent_to: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SigningBatch(Base):
    """Several documents signed by one official with one typed secret, in a background thread of
    the web process; its progress is here so that any worker can show it.
    """

    __tablename__ = "signing_batches"
    __table_args__ = (Index("ix_signing_batches_official", "instansi_key", "nip"),)

    #: Random, in the result page's address (``/kotak-masuk/batch/<id>``), shown only to its official.
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    instansi_key: Mapped[str] = mapped_column(String(300))
    nip: Mapped[str] = mapped_column(String(18))
    #: ``running`` or ``done``.
    status: Mapped[str] = mapped_column(String(20))
    total: Mapped[int] = mapped_column(Integer)
    signed: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: Written after each document: a running batch not heard of for long died with its process.
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    items: Mapped[list[SigningBatchItem]] = relationship(
        order_by="SigningBatchItem.position", cascade="all, delete-orphan"
    )


class SigningBatchItem(Base):
    """One document of a batch and its outcome."""

    __tablename__ = "signing_batch_items"
    __table_args__ = (UniqueConstraint("batch_id", "position", name="uq_signing_batch_items_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("signing_batches.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"))
    urutan: Mapped[int] = mapped_column(Integer)
    #: ``queued``, ``signed`` or ``failed``.
    status: Mapped[str] = mapped_column(String(20))
    #: Why it failed, in Indonesian.
    detail: Mapped[str | None] = mapped_column(Text)
