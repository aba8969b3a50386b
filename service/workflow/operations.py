"""Document operations. Each one changes state and writes its audit event in the same transaction."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import audit
from service.errors import (
    ConflictError,
    ForbiddenError,
    IdempotencyConflictError,
    NotFoundError,
    UnprocessableError,
)
from service.jsonio import json_number
from service.models import ApiClient, Document, Revision, Signer, WebhookDelivery, as_utc, utcnow
from service.schemas import load_payload
from service.schemas.stored import dump_validated
from service.scoring import score_payload
from service.scoring.penandatangan import penandatangan
from service.scoring.vocabulary import FINAL_STATUSES, SIGNING_ORDER
from service.services import Services
from service.tenancy import Caller, instansi_key
from service.workflow.history import HISTORY_FILE
from service.workflow.links import issue_link
from service.workflow.mail import queue_refusal, queue_turn
from service.workflow.pipeline import DOCX_FILE
from service.workflow.providers import FIELD_MAKING_PROVIDERS, apply_penyedia, penyedia_of, penyedia_problems
from service.workflow.representation import delegasi_dict
from service.workflow.webhooks import check_callback_url, client_actor, enqueue, signer_actor

__all__ = [
    "IDEMPOTENCY_KEY_PATTERN",
    "MAX_IDEMPOTENCY_KEY",
    "Created",
    "StoredFile",
    "cancel_document",
    "create_document",
    "delegate_signer",
    "delivery_dict",
    "document_file",
    "download_revision",
    "get_document",
    "prepare_document",
    "record_created",
    "reissue_link",
    "reject_document",
    "request_hash",
    "signer_id",
    "signers_of",
    "webhook_deliveries",
]

MAX_IDEMPOTENCY_KEY = 200
#: Visible ASCII, inner spaces allowed (a structured-field string, as the IETF Idempotency-Key draft
#: has it): a control character or NUL would otherwise reach the database (PostgreSQL refuses NUL).
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$"

def _canonical(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


def request_hash(body: Mapping[str, Any]) -> str:
    """Hash of the body as parsed, so whitespace or key order does not make another request."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=_canonical)
    return hashlib.sha256(text.encode()).hexdigest()


def signers_of(payload: Mapping[str, Any], mengetahui: Collection[str] = ()) -> tuple[str, ...]:
    """The roles that sign this payload's form, in order (``service.scoring.penandatangan``).

    Identities the form does not sign for stay in the payload and are printed where the form prints
    them; they are just not signers.
    """
    given = [role for role in SIGNING_ORDER if payload.get(role) is not None]
    return penandatangan(payload["regime"], payload["type"], given=given, mengetahui=mengetahui)


def signer_id(person: Mapping[str, Any]) -> str:
    """What identifies a signer (their key, enrollment, certificate check): the NIP, or the NIK of a
    pejabat negara who has no NIP.
    """
    return str(person.get("nip") or person["nik"])


def _refuse_signers_without_id(payload: Mapping[str, Any], mengetahui: Collection[str]) -> None:
    """A political official without NIP who signs must give a NIK: keys belong to a number."""
    errors = [
        {
            "field": f"{peran}.nik",
            "message": "wajib diisi: pejabat negara tanpa NIP yang menandatangani dokumen ini dikenali "
            "dari NIK-nya (kunci tanda tangan dan sertifikatnya memakai nomor itu)",
        }
        for peran in signers_of(payload, mengetahui)
        if not payload[peran].get("nip") and not payload[peran].get("nik")
    ]
    if errors:
        raise UnprocessableError(errors=errors)


@dataclass(frozen=True)
class Created:
    """The document a create request made, or found again for a replay."""

    document: Document
    #: False when the same key and body were sent before and the first document is returned.
    new: bool


def create_document(
    session: Session,
    services: Services,
    *,
    client: ApiClient,
    idempotency_key: str | None,
    body: Mapping[str, Any],
    raw_body: str,
    ip: str | None,
) -> Created:
    """Validate and score ``body``, store it and queue its rendering; replays return the first one.

    :param body: the parsed JSON object; ``raw_body`` is the same request as sent, kept verbatim.
    :raises marshmallow.ValidationError: the payload breaks a schema rule (422).
    :raises ScoringError: a rule only scoring can see (422).
    :raises ConflictError: the key was used before for another body.
    """
    prepared = prepare_document(
        session, services, client=client, idempotency_key=idempotency_key, body=body, raw_body=raw_body
    )
    if isinstance(prepared, Created):
        return prepared
    document = prepared
    session.add(document)
    try:
        # Flushed here, not at the audit query's autoflush: of requests racing with one key, the
        # losers wait at this insert for the winner's commit and are answered with its document.
        session.flush()
        record_created(session, document, client, ip=ip)
        session.commit()
    except IntegrityError:
        session.rollback()
        winner = _by_idempotency_key(session, client.id, document.idempotency_key)
        if winner is None:
            raise
        return _replay(winner, document.request_hash)
    services.runner.submit("render", document.id)
    return Created(document=document, new=True)


def _check_idempotency_key(idempotency_key: str | None, *, field: str) -> str:
    """The key, stripped; 422 naming ``field`` when it is missing or not visible ASCII."""
    idempotency_key = (idempotency_key or "").strip()
    well_formed = re.fullmatch(IDEMPOTENCY_KEY_PATTERN, idempotency_key) is not None
    if not well_formed or len(idempotency_key) > MAX_IDEMPOTENCY_KEY:
        message = "wajib diisi (1–200 karakter ASCII yang terlihat; spasi hanya di tengah)"
        if field == "Idempotency-Key":
            message = "header " + message
        raise UnprocessableError(errors=[{"field": field, "message": message}])
    return idempotency_key


def prepare_document(
    session: Session,
    services: Services,
    *,
    client: ApiClient,
    idempotency_key: str | None,
    body: Mapping[str, Any],
    raw_body: str,
    batch_id: str | None = None,
    key_field: str = "Idempotency-Key",
    reachable: set[str] | None = None,
) -> Document | Created:
    """Every check of a create request, and the new document (not added to the session yet), or
    the document an earlier request with this key and body made (a replay).

    :param key_field: what a problem with the key names (the header, or a batch item's member).
    :param reachable: callback URLs found reachable already (a batch checks each URL once).
    :raises marshmallow.ValidationError, ScoringError, ServiceError: as :func:`create_document`.
    """
    idempotency_key = _check_idempotency_key(idempotency_key, field=key_field)
    payload = load_payload(body)
    key = instansi_key(payload["instansi"])
    if not client.tenancy.allows(key):
        raise ForbiddenError(
            f"Kunci API ini tidak melayani instansi {payload['instansi']!r}.",
            errors=[{"field": "instansi", "message": "di luar instansi yang dilayani kunci API ini"}],
        )
    hasil = score_payload(payload)
    _refuse_signers_without_id(payload, services.settings.mengetahui_forms)
    roles = signers_of(payload, services.settings.mengetahui_forms)
    problems = penyedia_problems(((peran, payload[peran]) for peran in roles), services.settings)
    if problems:
        raise UnprocessableError(errors=problems)
    digest = request_hash(body)
    existing = _by_idempotency_key(session, client.id, idempotency_key)
    if existing is not None:
        return _replay(existing, digest)
    # Once the payload is otherwise valid (no lookup for a request refused anyway); a replay
    # above answers as the first time did, whatever DNS says now.
    url = payload.get("callback_url")
    if reachable is None or url not in reachable:
        check_callback_url(services, url)
        if reachable is not None and url:
            reachable.add(url)
    # A unit document lists its pegawai (``daftar_pegawai``) and is about none of them.
    pegawai = payload.get("pegawai") or {"nip": "", "nama": ""}
    document = Document(
        id=f"doc_{secrets.token_hex(10)}",
        client_id=client.id,
        idempotency_key=idempotency_key,
        request_hash=digest,
        type=payload["type"],
        regime=payload["regime"],
        status="rendering",
        payload_json=raw_body,
        payload_validated=dump_validated(payload),
        hasil_json=json.dumps(hasil, ensure_ascii=False, default=json_number),
        verification_code=secrets.token_hex(8),
        instansi=payload["instansi"],
        instansi_key=key,
        pegawai_nip=pegawai["nip"],
        pegawai_nama=pegawai["nama"],
        unit_kerja=pegawai.get("unit_kerja") or payload.get("unit_kerja", ""),
        periode_tahun=payload["periode"]["mulai"].year,
        current_revision=-1,
        batch_id=batch_id,
    )
    for urutan, peran in enumerate(roles, start=1):
        person = payload[peran]
        signer = Signer(
            urutan=urutan,
            peran=peran,
            nama=person["nama"],
            nip=signer_id(person),
            jabatan=person["jabatan"],
            email=person.get("email"),
            status="waiting",
            field_name=f"ttd_{peran}",
            failed_attempts=0,
        )
        apply_penyedia(signer, penyedia_of(person, services.settings))
        document.signers.append(signer)
    return document


def record_created(session: Session, document: Document, client: ApiClient, *, ip: str | None) -> None:
    """The ``created`` audit event of a new document (the caller commits)."""
    data = {"type": document.type, "regime": document.regime, "idempotency_key": document.idempotency_key}
    if document.batch_id:
        data["batch"] = document.batch_id
    audit.record(
        session, event="created", actor=f"client:{client.name}", document_id=document.id, ip=ip, data=data
    )


def _by_idempotency_key(session: Session, client_id: int, key: str) -> Document | None:
    return session.scalar(
        select(Document).where(Document.client_id == client_id, Document.idempotency_key == key)
    )


def _replay(existing: Document, digest: str) -> Created:
    if existing.request_hash != digest:
        raise IdempotencyConflictError(
            "Idempotency-Key ini sudah dipakai untuk isi permintaan yang berbeda.",
            document_id=existing.id,
        )
    return Created(document=existing, new=False)


def get_document(session: Session, document_id: str, caller: Caller, *, own: bool = False) -> Document:
    """The document if ``caller`` may see it (404 otherwise, the same answer as for no document, so
    ids of other instansi or clients are not revealed); ``own``: only its creator may act on it (403).
    """
    document = session.get(Document, document_id[:40])
    if document is None or not caller.may_read(document):
        raise NotFoundError(f"Dokumen {document_id!r} tidak ditemukan.")
    if own and not caller.owns(document):
        raise ForbiddenError("Hanya klien yang membuat dokumen ini yang dapat mengubahnya.")
    return document


def _move_status(
    session: Session,
    document: Document,
    to: str,
    *,
    allowed: tuple[str, ...],
    same_revision: bool = False,
) -> None:
    """Change the status only if the row still has one of ``allowed`` (and the same revision).

    Signatures commit under the same kind of guard (see ``revisions.commit_revision``), so of a
    signature and a refusal or cancellation racing, exactly one changes the document.
    """
    guard = [Document.id == document.id, Document.status.in_(allowed)]
    if same_revision:
        guard.append(Document.current_revision == document.current_revision)
    moved = session.execute(
        update(Document)
        .where(*guard)
        .values(status=to, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise ConflictError("Dokumen baru saja berubah oleh permintaan lain; muat ulang dan coba lagi.")
    document.status = to


def cancel_document(
    session: Session, services: Services, document: Document, *, actor: str, ip: str | None
) -> Document:
    """Stop a document that is not final yet; its signers' links die with it."""
    if document.status in FINAL_STATUSES:
        raise ConflictError(
            f"Dokumen berstatus {document.status!r} tidak dapat dibatalkan.", status_dokumen=document.status
        )
    _move_status(session, document, "cancelled", allowed=("rendering", "awaiting_signature"))
    for signer in document.signers:
        if signer.status in ("waiting", "pending"):
            signer.status = "cancelled"
    audit.record(session, event="cancelled", actor=actor, document_id=document.id, ip=ip)
    enqueue(session, services, document, "document.cancelled", actor=client_actor(actor))
    session.commit()
    return document


def reject_document(
    session: Session,
    services: Services,
    document: Document,
    signer: Signer,
    *,
    alasan: str,
    actor: str,
    ip: str | None,
) -> Document:
    """The signer refuses with a reason: the document stops and no later link will be issued."""
    if document.status != "awaiting_signature" or signer.status != "pending":
        raise ConflictError("Dokumen tidak sedang menunggu keputusan penanda tangan ini.")
    _move_status(session, document, "rejected", allowed=("awaiting_signature",), same_revision=True)
    signer.status = "rejected"
    signer.reject_reason = alasan
    signer.link_used_at = utcnow()
    document.status = "rejected"
    audit.record(
        session,
        event="rejected",
        actor=actor,
        document_id=document.id,
        ip=ip,
        data={"urutan": signer.urutan, "peran": signer.peran, "alasan": alasan},
    )
    refuser = signer_actor(signer)
    enqueue(session, services, document, "document.rejected", actor=refuser, signer=signer, alasan=alasan)
    queue_refusal(session, services, document)
    session.commit()
    return document


def _signer(document: Document, urutan: int) -> Signer:
    signer = next((s for s in document.signers if s.urutan == urutan), None)
    if signer is None:
        raise NotFoundError(f"Penanda tangan urutan {urutan} tidak ada.")
    return signer


def reissue_link(
    session: Session,
    services: Services,
    document: Document,
    urutan: int,
    *,
    actor: str,
    ip: str | None,
) -> Signer:
    """A new link for the signer whose turn it is; the old one stops working at once."""
    signer = _signer(document, urutan)
    if document.status != "awaiting_signature" or signer.status != "pending":
        raise ConflictError("Tautan hanya dapat diterbitkan ulang untuk penanda tangan yang sedang giliran.")
    issue_link(signer, ttl=services.settings.sign_link_ttl, now=services.clock.now())
    # A new link is a fresh start: a lock from wrong passphrases on the old one is lifted (audited).
    previous_failures, signer.failed_attempts = signer.failed_attempts, 0
    # Only the signer's row changed, which ``onupdate`` does not see: "changed since" must.
    document.updated_at = utcnow()
    audit.record(
        session,
        event="reissued",
        actor=actor,
        document_id=document.id,
        ip=ip,
        data={"urutan": urutan, "peran": signer.peran, "failed_attempts_reset": previous_failures},
    )
    enqueue(session, services, document, "signer.reissued", actor=client_actor(actor), signer=signer)
    queue_turn(session, services, document, signer)
    session.commit()
    return signer


def delegate_signer(
    session: Session,
    services: Services,
    document: Document,
    urutan: int,
    *,
    delegate: Mapping[str, Any],
    actor: str,
    ip: str | None,
) -> Signer:
    """Plt/Plh: another official signs in this role; the original official is kept on record."""
    signer = _signer(document, urutan)
    if document.status in FINAL_STATUSES or signer.status not in ("waiting", "pending"):
        raise ConflictError("Penanda tangan ini tidak dapat didelegasikan lagi.")
    problems = penyedia_problems([("pengganti", delegate)], services.settings)
    if problems:
        raise UnprocessableError(errors=problems)
    chosen = penyedia_of(delegate, services.settings)
    if document.current_revision >= 0 and chosen.kind != signer.penyedia and (
        chosen.kind in FIELD_MAKING_PROVIDERS or signer.penyedia in FIELD_MAKING_PROVIDERS
    ):
        # Revision 0 was made for the providers named at creation (with or without the form's field
        # for this role; the seal certifying or not): a provider of the other kind cannot sign it.
        raise UnprocessableError(
            errors=[
                {
                    "field": "pengganti.sertifikat.penyedia",
                    "message": f"harus {signer.penyedia}, penyedia yang dipakai saat dokumen disegel",
                }
            ]
        )
    original = {"nama": signer.nama, "nip": signer.nip, "jabatan": signer.jabatan}
    signer.delegate_json = json.dumps(
        {"jenis": delegate["jenis"], "semula": original, "keterangan": delegate.get("keterangan")},
        ensure_ascii=False,
    )
    signer.nama = delegate["nama"]
    signer.nip = delegate["nip"]
    signer.jabatan = delegate["jabatan"]
    signer.email = delegate.get("email")
    apply_penyedia(signer, chosen)
    signer.failed_attempts = 0
    document.updated_at = utcnow()  # as in ``reissue_link``: a signer's change is the document's
    if signer.status == "pending":
        issue_link(signer, ttl=services.settings.sign_link_ttl, now=services.clock.now())
    audit.record(
        session,
        event="delegated",
        actor=actor,
        document_id=document.id,
        ip=ip,
        data={
            "urutan": urutan,
            "peran": signer.peran,
            "jenis": delegate["jenis"],
            "semula": original,
            "pengganti": {"nama": signer.nama, "nip": signer.nip},
        },
    )
    enqueue(
        session,
        services,
        document,
        "signer.delegated",
        actor=client_actor(actor),
        signer=signer,
        delegasi=delegasi_dict(signer),
        semula=original,
    )
    if signer.status == "pending":
        queue_turn(session, services, document, signer)  # the Plt/Plh's own link, to their e-mail
    session.commit()
    return signer


@dataclass(frozen=True)
class StoredFile:
    """A file handed out, with the name it is offered under."""

    data: bytes
    filename: str
    mimetype: str


def download_revision(
    session: Session,
    services: Services,
    document: Document,
    number: int | None,
    *,
    actor: str,
    ip: str | None,
) -> StoredFile:
    """Revision ``number`` (the newest when ``None``) of the PDF; every download is audited.

    :raises NotFoundError: the revision does not exist (yet).
    """
    if number is None:
        number = document.current_revision
    revision = (
        session.scalar(select(Revision).where(Revision.document_id == document.id, Revision.number == number))
        if 0 <= number <= document.current_revision
        else None
    )
    if revision is None:
        raise NotFoundError("Revisi PDF ini belum ada.")
    data = services.store.get(document.id, revision.filename)
    audit.record(
        session,
        event="downloaded",
        actor=actor,
        document_id=document.id,
        ip=ip,
        data={"revision": number, "format": "pdf"},
    )
    session.commit()
    return StoredFile(data=data, filename=f"{document.id}-rev{number}.pdf", mimetype="application/pdf")


#: Other files of a document, by the kind clients ask for:
#: (store name, offered name suffix, media type, detail when missing).
_FILES: Mapping[str, tuple[str, str, str, str]] = {
    "docx": (
        DOCX_FILE,
        ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Berkas Word belum dibuat.",
    ),
    "riwayat": (
        HISTORY_FILE,
        "-riwayat.pdf",
        "application/pdf",
        "Lembar riwayat belum diterbitkan (dokumen belum selesai).",
    ),
}


def document_file(services: Services, document: Document, kind: str) -> StoredFile:
    """The filled Word form (``docx``) or the sealed history sheet (``riwayat``).

    :raises NotFoundError: not made yet.
    """
    name, suffix, mimetype, missing = _FILES[kind]
    if not services.store.exists(document.id, name):
        raise NotFoundError(missing)
    return StoredFile(
        data=services.store.get(document.id, name), filename=f"{document.id}{suffix}", mimetype=mimetype
    )


def webhook_deliveries(session: Session, document: Document) -> list[dict[str, Any]]:
    """The document's webhook deliveries, oldest first: what was sent, when, and how it went."""
    rows = session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.document_id == document.id).order_by(WebhookDelivery.id)
    )
    return [delivery_dict(row) for row in rows]


def delivery_dict(row: WebhookDelivery) -> dict[str, Any]:
    """One webhook delivery as the API shows it."""
    return {
        "id": row.id,
        "event": row.event,
        "url": row.url,
        "attempts": row.attempts,
        "delivered_at": as_utc(row.delivered_at).isoformat() if row.delivered_at else None,
        "next_attempt_at": None if row.delivered_at else as_utc(row.next_attempt_at).isoformat(),
        "last_status": row.last_status,
        "last_error": row.last_error,
        "created_at": as_utc(row.created_at).isoformat(),
        "redelivery_of": row.redelivery_of,
    }
