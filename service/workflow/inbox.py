"""The officials' inbox ``/kotak-masuk``: who the official is, what waits for them, and batch signing.

An official proves who they are within one instansi (its key, their NIP) either by holding a usable
signing link or by a one-time login link mailed to an address a waiting signer row gives them; either
opens a server-side session (:class:`~service.models.OfficialSession`, only hashes stored).

A batch opens the official's key once (:func:`~service.workflow.signing_ops.open_key`: the passphrase
KDF is paid once) and then signs each document through the one signing path,
:func:`~service.workflow.signing_ops.sign_document`, under that document's own guard, in a
background thread of the web process that holds the opened key in memory only. Its progress is kept
in ``signing_batches`` so that any worker can show it. A CSC or BSrE signer's secret is passed to each
document's signature as typed (the provider holds the key; nothing is opened here).
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from service import audit, throttle
from service.errors import NotFoundError, ProviderUnavailableServiceError, ServiceError, UnprocessableError
from service.interfaces import DocumentSigner, Mail
from service.models import (
    Document,
    OfficialLoginLink,
    OfficialSession,
    Signer,
    SigningBatch,
    SigningBatchItem,
    as_utc,
)
from service.scoring.vocabulary import TYPE_LABEL
from service.services import Services
from service.workflow.links import LinkGoneError, live_token
from service.workflow.providers import signer_penyedia
from service.workflow.signing_links import FINAL_DETAIL, usable_link
from service.workflow.signing_ops import (
    MAX_FAILED_ATTEMPTS,
    Secret,
    WrongPassphraseServiceError,
    open_key,
    sign_document,
)
from service.workflow.stored import payload_of
from signing.errors import BsreError, ProviderUnavailableError

__all__ = [
    "COOKIE",
    "LOGIN_LINK_TTL",
    "BatchView",
    "InboxItem",
    "Official",
    "current_official",
    "end_session",
    "login_link_usable",
    "open_from_link",
    "redeem_login_link",
    "request_login_link",
    "request_totp",
    "start_batch",
    "view_batch",
    "wait_for_batch",
    "waiting",
]

log = logging.getLogger(__name__)

#: The cookie that carries the official's session id (path ``/kotak-masuk``, HttpOnly, SameSite=Lax).
COOKIE = "skp_kotak"
#: How long a mailed login link may be used (once).
LOGIN_LINK_TTL = timedelta(minutes=30)
#: A running batch not heard of for this long died with its process (its page stops refreshing).
STALE_AFTER = timedelta(minutes=5)
_TOUCH_AFTER = timedelta(minutes=1)
_MAX_TOKEN = 100
#: Providers whose key is opened once here for the whole batch.
_OPENED_HERE = frozenset({"instansi", "p12"})

#: The batches this process runs, by id (the opened key lives only in their thread).
_running: dict[str, threading.Thread] = {}
_running_lock = threading.Lock()


@dataclass(frozen=True)
class Official:
    """A signed-in official: their NIP within one instansi."""

    instansi_key: str
    nip: str
    session_id: int


@dataclass(frozen=True)
class InboxItem:
    """One document waiting for the official's signature now."""

    document_id: str
    urutan: int
    type_label: str
    pegawai_nama: str
    pegawai_nip: str
    periode_mulai: Any
    periode_selesai: Any
    predikat: str | None
    deadline: datetime
    #: The document's signing page (its live link), to read it.
    sign_url: str
    #: Too many wrong passphrases on this document's link: it cannot be signed until reissued.
    locked: bool
    penyedia: str
    instansi: str


@dataclass(frozen=True)
class BatchView:
    """A batch as its page shows it: progress, and each document's outcome."""

    batch: SigningBatch
    items: Sequence[tuple[SigningBatchItem, Document]]
    #: Running, but not heard of for :data:`STALE_AFTER`: its process ended.
    stale: bool

    @property
    def done(self) -> int:
        """How many documents have an outcome."""
        return self.batch.signed + self.batch.failed


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _open(
    session: Session,
    services: Services,
    *,
    instansi_key: str,
    nip: str,
    via: str,
    ip: str | None,
    document_id: str | None = None,
) -> str:
    token = secrets.token_urlsafe(32)
    now = services.clock.now().astimezone(UTC)
    row = OfficialSession(
        token_hash=_hash(token),
        instansi_key=instansi_key,
        nip=nip,
        via=via,
        created_at=now,
        last_seen_at=now,
        ip=ip,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        event="inbox_session_opened",
        actor=f"nip:{nip}",
        document_id=document_id,
        ip=ip,
        data={"session": row.id, "via": via, "instansi_key": instansi_key},
    )
    session.commit()
    return token


def open_from_link(session: Session, services: Services, token: str, *, ip: str | None) -> str:
    """An inbox session for the official a usable signing link names; the cookie's id.

    Holding the link proves who they are as much as the link itself does.
    """
    signer, document = usable_link(session, services, token)
    return _open(
        session,
        services,
        instansi_key=document.instansi_key,
        nip=signer.nip,
        via="link",
        ip=ip,
        document_id=document.id,
    )


def _live(session: Session, services: Services, token: str | None) -> OfficialSession | None:
    if not token or len(token) > _MAX_TOKEN:
        return None
    row = session.scalar(select(OfficialSession).where(OfficialSession.token_hash == _hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    now = services.clock.now()
    settings = services.settings
    if (
        now - as_utc(row.created_at) >= settings.archive_session_max_age
        or now - as_utc(row.last_seen_at) >= settings.archive_session_idle
    ):
        return None
    return row


def current_official(session: Session, services: Services, token: str | None) -> Official | None:
    """The official of a live session (its idle clock restarts); ``None`` for anything else."""
    row = _live(session, services, token)
    if row is None:
        return None
    now = services.clock.now()
    if now - as_utc(row.last_seen_at) >= _TOUCH_AFTER:
        session.execute(
            update(OfficialSession)
            .where(OfficialSession.id == row.id)
            .values(last_seen_at=now.astimezone(UTC))
            .execution_options(synchronize_session=False)
        )
        session.commit()
    return Official(instansi_key=row.instansi_key, nip=row.nip, session_id=row.id)


def end_session(session: Session, services: Services, token: str | None, *, ip: str | None) -> None:
    """Log out: the session is revoked where it is kept (audited)."""
    row = _live(session, services, token)
    if row is None:
        return
    row.revoked_at = services.clock.now().astimezone(UTC)
    audit.record(session, event="inbox_logout", actor=f"nip:{row.nip}", ip=ip, data={"session": row.id})
    session.commit()


def _login_limit(services: Services) -> throttle.AddressLimit:
    settings = services.settings
    return throttle.AddressLimit(
        scope="kotak", max_failures=settings.address_max_failures, window=settings.address_window
    )


def request_login_link(session: Session, services: Services, *, nip: str, email: str, ip: str | None) -> None:
    """Mail a one-time login link when a signer waiting now has this NIP and this e-mail; otherwise
    nothing. The caller answers the same either way, so nobody learns who exists here.

    :raises TooManyAttemptsError: the address asked too often (every request counts).
    """
    now = services.clock.now()
    limit = _login_limit(services)
    throttle.check(
        session, limit, ip, now=now, detail="Terlalu banyak permintaan tautan masuk dari alamat ini."
    )
    throttle.hit(session, limit, ip, now=now)
    nip = nip.strip()
    address = email.strip().lower()
    found = (
        session.execute(
            select(Document.instansi_key, Document.instansi, Signer.email)
            .join(Signer, Signer.document_id == Document.id)
            .where(
                Signer.nip == nip,
                Signer.status == "pending",
                Document.status == "awaiting_signature",
                func.lower(Signer.email) == address,
            )
            .distinct()
        ).all()
        if nip and address
        else []
    )
    mails: list[Mail] = []
    seen: set[str] = set()
    for instansi_key, instansi, sent_to in found:
        if instansi_key in seen:
            continue
        seen.add(instansi_key)
        token = secrets.token_urlsafe(32)
        session.add(
            OfficialLoginLink(
                token_hash=_hash(token),
                instansi_key=instansi_key,
                nip=nip,
                sent_to=sent_to,
                created_at=now.astimezone(UTC),
                expires_at=(now + LOGIN_LINK_TTL).astimezone(UTC),
            )
        )
        audit.record(
            session,
            event="inbox_login_link_sent",
            actor=f"nip:{nip}",
            ip=ip,
            data={"instansi_key": instansi_key},
        )
        mails.append(_login_mail(services, sent_to or address, instansi, token))
    session.commit()
    for mail in mails:
        try:
            services.notifier.send(mail)
        except OSError as error:
            # The answer is the same either way; the official may ask again.
            log.error("could not send an inbox login link: %s", error)


def _login_mail(services: Services, to: str, instansi: str, token: str) -> Mail:
    minutes = int(LOGIN_LINK_TTL.total_seconds() // 60)
    return Mail(
        to=to,
        subject=f"Tautan masuk kotak masuk tanda tangan {instansi}",
        body=(
            "Yth. Bapak/Ibu,\n\n"
            f"Untuk melihat semua dokumen kinerja {instansi} yang menunggu tanda tangan Anda, buka tautan "
            f"berikut (berlaku {minutes} menit dan hanya sekali):\n\n"
            f"{services.urls.inbox_login(token)}\n\n"
            "Bila Anda tidak memintanya, abaikan pesan ini.\n"
        ),
    )


def _login_row(session: Session, services: Services, token: str) -> OfficialLoginLink | None:
    if not token or len(token) > _MAX_TOKEN:
        return None
    row = session.scalar(select(OfficialLoginLink).where(OfficialLoginLink.token_hash == _hash(token)))
    if row is None or row.used_at is not None or as_utc(row.expires_at) <= services.clock.now():
        return None
    return row


_LOGIN_GONE = (
    "Tautan masuk ini tidak berlaku (sudah dipakai, kedaluwarsa, atau tidak dikenal); mintalah yang baru."
)


def login_link_usable(session: Session, services: Services, token: str) -> None:
    """Refuse (410) a login link that is unknown, used or expired; it is not used up here."""
    if _login_row(session, services, token) is None:
        raise LinkGoneError(_LOGIN_GONE)


def redeem_login_link(session: Session, services: Services, token: str, *, ip: str | None) -> str:
    """Use a mailed login link (once, even by two requests at the same moment); the session's id.

    :raises LinkGoneError: unknown, used or expired, all alike (410).
    """
    row = _login_row(session, services, token)
    now = services.clock.now().astimezone(UTC)
    used = (
        None
        if row is None
        else session.execute(
            update(OfficialLoginLink)
            .where(OfficialLoginLink.id == row.id, OfficialLoginLink.used_at.is_(None))
            .values(used_at=now)
            .returning(OfficialLoginLink.id)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
    )
    if row is None or used is None:
        session.rollback()
        raise LinkGoneError(_LOGIN_GONE)
    return _open(session, services, instansi_key=row.instansi_key, nip=row.nip, via="email", ip=ip)


def _predikat(document: Document) -> str | None:
    hasil = payload_hasil(document)
    found = hasil.get("predikat_label") or hasil.get("sebutan_label")
    return str(found) if found else None


def payload_hasil(document: Document) -> Mapping[str, Any]:
    """The stored scoring result (``document.hasil_json``)."""
    loaded = json.loads(document.hasil_json)
    return loaded if isinstance(loaded, dict) else {}


def _waiting_rows(session: Session, official: Official) -> list[tuple[Signer, Document]]:
    rows = session.execute(
        select(Signer, Document)
        .join(Document, Signer.document_id == Document.id)
        .where(
            Signer.nip == official.nip,
            Signer.status == "pending",
            Document.status == "awaiting_signature",
            Document.instansi_key == official.instansi_key,
        )
        .order_by(Signer.link_expires_at, Document.created_at, Document.id)
    ).all()
    return [(signer, document) for signer, document in rows]


def waiting(session: Session, services: Services, official: Official) -> list[InboxItem]:
    """Every document waiting for this official's signature now within their instansi (from any
    HR client), soonest deadline first; a document whose link has expired is not signable here.
    """
    now = services.clock.now()
    items = []
    for signer, document in _waiting_rows(session, official):
        token = live_token(signer, secret=services.settings.secret_key, now=now)
        if token is None or signer.link_expires_at is None:
            continue
        periode = payload_of(document).get("periode") or {}
        items.append(
            InboxItem(
                document_id=document.id,
                urutan=signer.urutan,
                type_label=TYPE_LABEL.get(document.type, document.type),
                pegawai_nama=document.subjek,
                pegawai_nip=document.pegawai_nip,
                periode_mulai=periode.get("mulai"),
                periode_selesai=periode.get("selesai"),
                predikat=_predikat(document),
                deadline=as_utc(signer.link_expires_at),
                sign_url=services.urls.sign(token),
                locked=signer.failed_attempts >= MAX_FAILED_ATTEMPTS,
                penyedia=signer_penyedia(signer).kind,
                instansi=document.instansi,
            )
        )
    return items


def request_totp(session: Session, services: Services, official: Official) -> int:
    """Ask BSrE for one TOTP covering every waiting document signed through BSrE; how many.

    :raises UnprocessableError: none of the waiting documents is signed through BSrE.
    """
    niks = [
        signer_penyedia(signer).nik
        for signer, _document in _waiting_rows(session, official)
        if signer.penyedia == "bsre"
    ]
    nik = next((n for n in niks if n), None)
    if nik is None:
        raise UnprocessableError("Tidak ada dokumen yang ditandatangani melalui BSrE.")
    try:
        services.bsre().request_totp(nik, len(niks))
    except ProviderUnavailableError as error:
        raise ProviderUnavailableServiceError(str(error), penyedia="bsre") from None
    except BsreError as error:
        raise UnprocessableError(str(error)) from None
    return len(niks)


def start_batch(
    session: Session,
    services: Services,
    official: Official,
    document_ids: Sequence[str],
    *,
    passphrase: str = "",
    pin: str = "",
    otp: str = "",
    totp: str = "",
    ip: str | None,
    every: bool = False,
) -> str:
    """Check the choice and the secret, open the official's key once, record the batch and start it
    in a background thread; the batch's id.

    A wrong passphrase counts once, against the first chosen document, and nothing is signed.

    :param every: every waiting document (the "pilih semua" box), whatever ``document_ids`` says.
    :raises UnprocessableError: nothing chosen, or a secret a chosen document needs is missing.
    :raises WrongPassphraseServiceError: the passphrase does not open the key (counted once).
    """
    rows = _waiting_rows(session, official)
    if every:
        document_ids = [document.id for _signer, document in rows]
    chosen_ids = list(dict.fromkeys(d.strip() for d in document_ids if d.strip()))
    if not chosen_ids:
        raise UnprocessableError("Pilih sedikitnya satu dokumen untuk ditandatangani.")
    if len(chosen_ids) > 500:
        raise UnprocessableError("Paling banyak 500 dokumen sekali tanda tangan.")
    by_id = {document.id: (signer, document) for signer, document in rows}
    kinds = {signer_penyedia(by_id[d][0]).kind for d in chosen_ids if d in by_id}
    if kinds & _OPENED_HERE and not passphrase:
        raise UnprocessableError("Frasa sandi wajib diisi.")
    if "csc" in kinds and not (pin or otp):
        raise UnprocessableError("PIN atau OTP penyedia tanda tangan wajib diisi.")
    if "bsre" in kinds and not (passphrase or totp):
        raise UnprocessableError("Passphrase BSrE atau TOTP wajib diisi.")
    actor = f"nip:{official.nip}"
    opened: DocumentSigner | None = None
    # The key is opened under the first chosen document's guard whose link is not locked (a locked
    # one fails on its own below, and must not refuse the whole batch).
    openable = [
        by_id[d] for d in chosen_ids if d in by_id and signer_penyedia(by_id[d][0]).kind in _OPENED_HERE
    ]
    first = next((o for o in openable if o[0].failed_attempts < MAX_FAILED_ATTEMPTS), None)
    if first is not None:
        signer, document = first
        opened = open_key(
            session, services, document, urutan=signer.urutan, passphrase=passphrase, actor=actor, ip=ip
        )
    now = services.clock.now().astimezone(UTC)
    batch = SigningBatch(
        id=f"bat_{secrets.token_hex(12)}",
        instansi_key=official.instansi_key,
        nip=official.nip,
        status="running",
        total=len(chosen_ids),
        signed=0,
        failed=0,
        created_at=now,
        updated_at=now,
    )
    for document_id in chosen_ids:
        found = by_id.get(document_id) or _theirs(session, official, document_id)
        if found is None:
            continue  # not a document of this official's: nothing to say about it
        signer, document = found
        waits = document_id in by_id
        # No longer waiting for this official (cancelled, signed elsewhere): an outcome at once.
        batch.items.append(
            SigningBatchItem(
                position=len(batch.items),
                document_id=document.id,
                urutan=signer.urutan,
                status="queued" if waits else "failed",
                detail=None if waits else _not_waiting(document),
            )
        )
    batch.total = len(batch.items)
    batch.failed = sum(item.status == "failed" for item in batch.items)
    if not batch.items:
        session.rollback()
        raise UnprocessableError("Tidak satu pun dokumen yang dipilih menunggu tanda tangan Anda.")
    session.add(batch)
    audit.record(
        session,
        event="batch_started",
        actor=actor,
        ip=ip,
        data={
            "batch": batch.id,
            "documents": [item.document_id for item in batch.items],
            "not_waiting": batch.failed,
        },
    )
    session.commit()
    typed = Secret(passphrase=passphrase, pin=pin, otp=otp, totp=totp)
    job = _Job(batch_id=batch.id, opened=opened, typed=typed, actor=actor, ip=ip)
    thread = threading.Thread(target=_run, args=(services, job), name=f"batch-{batch.id}", daemon=True)
    with _running_lock:
        _running[batch.id] = thread
    thread.start()
    return batch.id


def _theirs(session: Session, official: Official, document_id: str) -> tuple[Signer, Document] | None:
    row = session.execute(
        select(Signer, Document)
        .join(Document, Signer.document_id == Document.id)
        .where(
            Document.id == document_id[:40],
            Document.instansi_key == official.instansi_key,
            Signer.nip == official.nip,
        )
        .order_by(Signer.urutan)
    ).first()
    return None if row is None else (row[0], row[1])


def _not_waiting(document: Document) -> str:
    if document.status in FINAL_DETAIL:
        return FINAL_DETAIL[document.status].split(";")[0] + "."
    return "Dokumen ini tidak (lagi) menunggu tanda tangan Anda."


@dataclass(frozen=True, repr=False)
class _Job:
    """What a batch's thread holds: the opened key and the typed secret live here only."""

    batch_id: str
    opened: DocumentSigner | None
    typed: Secret
    actor: str
    ip: str | None


def _run(services: Services, job: _Job) -> None:
    """Sign each queued document of the batch in turn; one failure does not stop the others (a wrong
    PIN or provider passphrase does: each further try would count against another link).
    """
    try:
        with services.sessions() as session:
            positions = list(
                session.scalars(
                    select(SigningBatchItem.position)
                    .where(SigningBatchItem.batch_id == job.batch_id, SigningBatchItem.status == "queued")
                    .order_by(SigningBatchItem.position)
                )
            )
            stop: str | None = None
            for position in positions:
                outcome, detail = ("failed", stop) if stop else _sign_one(session, services, job, position)
                if outcome == "wrong_secret":
                    stop = f"Tidak dicoba: {detail}"
                    outcome = "failed"
                _record_item(session, services, job.batch_id, position, outcome=outcome, detail=detail)
            batch = session.get(SigningBatch, job.batch_id)
            assert batch is not None  # noqa: S101  (created before the thread started)
            session.refresh(batch)
            now = services.clock.now().astimezone(UTC)
            batch.status = "done"
            batch.finished_at = now
            batch.updated_at = now
            audit.record(
                session,
                event="batch_finished",
                actor=job.actor,
                ip=job.ip,
                data={"batch": job.batch_id, "signed": batch.signed, "failed": batch.failed},
            )
            session.commit()
    except Exception:
        log.exception("signing batch %s failed", job.batch_id)
    finally:
        with _running_lock:
            _running.pop(job.batch_id, None)


_LINK_DEAD = "Tautan dokumen ini sudah tidak berlaku (kedaluwarsa, diganti, atau bukan giliran Anda)."


def _sign_one(session: Session, services: Services, job: _Job, position: int) -> tuple[str, str | None]:
    """One document of the batch through :func:`sign_document`: ``(outcome, why)``."""
    item = session.scalar(
        select(SigningBatchItem).where(
            SigningBatchItem.batch_id == job.batch_id, SigningBatchItem.position == position
        )
    )
    assert item is not None  # noqa: S101
    document = session.get(Document, item.document_id)
    assert document is not None  # noqa: S101
    session.refresh(document)
    if document.status != "awaiting_signature":
        return "failed", _not_waiting(document)
    signer = next((s for s in document.signers if s.urutan == item.urutan), None)
    now = services.clock.now()
    if signer is None or live_token(signer, secret=services.settings.secret_key, now=now) is None:
        return "failed", _LINK_DEAD
    try:
        sign_document(
            session,
            services,
            document,
            urutan=item.urutan,
            passphrase=job.typed.passphrase,
            pin=job.typed.pin,
            otp=job.typed.otp,
            totp=job.typed.totp,
            actor=job.actor,
            ip=job.ip,
            opened=job.opened,
        )
    except WrongPassphraseServiceError as error:
        session.rollback()
        return "wrong_secret", error.detail
    except ServiceError as error:
        session.rollback()
        return "failed", error.detail
    except Exception:
        session.rollback()
        log.exception("batch %s: document %s failed", job.batch_id, item.document_id)
        return "failed", "Terjadi kesalahan pada layanan saat menandatangani dokumen ini."
    return "signed", None


def _record_item(
    session: Session, services: Services, batch_id: str, position: int, *, outcome: str, detail: str | None
) -> None:
    """One document's outcome and the batch's progress, committed (the page reads them)."""
    now = services.clock.now().astimezone(UTC)
    session.execute(
        update(SigningBatchItem)
        .where(SigningBatchItem.batch_id == batch_id, SigningBatchItem.position == position)
        .values(status=outcome, detail=detail)
        .execution_options(synchronize_session=False)
    )
    counter = SigningBatch.signed if outcome == "signed" else SigningBatch.failed
    session.execute(
        update(SigningBatch)
        .where(SigningBatch.id == batch_id)
        .values({counter: counter + 1, SigningBatch.updated_at: now})
        .execution_options(synchronize_session=False)
    )
    session.commit()


def view_batch(session: Session, services: Services, official: Official, batch_id: str) -> BatchView:
    """A batch of this official's, with each document; 404 for anyone else's."""
    batch = session.get(SigningBatch, batch_id[:40])
    if batch is None or (batch.instansi_key, batch.nip) != (official.instansi_key, official.nip):
        raise NotFoundError("Proses tanda tangan ini tidak ditemukan.")
    session.refresh(batch)
    items = []
    for item in batch.items:
        session.refresh(item)
        document = session.get(Document, item.document_id)
        assert document is not None  # noqa: S101
        items.append((item, document))
    stale = batch.status == "running" and services.clock.now() - as_utc(batch.updated_at) >= STALE_AFTER
    return BatchView(batch=batch, items=items, stale=stale)


def wait_for_batch(batch_id: str, timeout: float) -> bool:
    """Wait until this process's batch ``batch_id`` has finished (tests, the bench); ``False`` on timeout."""
    with _running_lock:
        thread = _running.get(batch_id)
    if thread is None:
        return True
    thread.join(timeout)
    return not thread.is_alive()
