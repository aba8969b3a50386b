"""E-mail to the people of a document, through a persisted outbox (``mail_deliveries``).

A row is written in the transaction of the change that causes it (a signer's turn, a document
completed or refused) and holds what the message is about, never a link: tokens are not kept at
rest, so the message is rendered when it is sent, with the signing link recomputed then
(:func:`~service.workflow.links.token_for`) and the pegawai's download link made then
(:mod:`service.workflow.copies`). A message that no longer applies when its turn comes (the link
was used, replaced, has expired or is locked) is dropped, not sent. Reminders are queued by a
periodic sweep, once per link and day of ``REMINDER_DAYS``.

The enrollment ``kode_verifikasi`` does not go through here: it is sent at once by
:func:`service.workflow.enrollment.send_code`, because rendering it later would need the raw code
in this table; only its HMAC is ever stored.

No e-mail address → nothing is queued (the HR system still gets its webhooks).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import audit, readable
from service.interfaces import Mail
from service.models import ApiClient, Document, MailDelivery, Signer, as_utc
from service.scoring.vocabulary import CONFIDENTIAL_TYPES, PERAN_LABEL, TYPE_LABEL
from service.services import Services
from service.workflow.copies import issue_download_link
from service.workflow.enrollment import mask_email
from service.workflow.links import MAX_FAILED_ATTEMPTS, live_token
from service.workflow.outbox import FIRST_RETRY, Rounds, claim, retry_later
from service.workflow.stored import payload_of
from service.workflow.webhooks import enqueue

__all__ = [
    "KINDS",
    "MailDispatcher",
    "deliver_mail",
    "queue_completed",
    "queue_refusal",
    "queue_turn",
    "sweep_expired_links",
    "sweep_reminders",
]

log = logging.getLogger(__name__)

KINDS = ("turn", "reminder", "completed", "refused")
#: A row is finished once sent or dropped.
_UNFINISHED = MailDelivery.sent_at.is_(None) & MailDelivery.dropped_at.is_(None)
#: Rows tried per delivery round (the rest wait for the next round).
_BATCH = 100


# -- queueing (in the caller's transaction) ---------------------------------------------------------


def _link_key(signer: Signer) -> str:
    """Names the signer's current link without revealing anything usable (the nonce alone is no
    token, and only a digest of it is kept here).
    """
    return hashlib.sha256(f"{signer.id}:{signer.link_nonce}".encode()).hexdigest()[:24]


def _delivery(
    kind: str, *, document_id: str, signer_id: int | None, to: str, once_key: str, now: datetime
) -> MailDelivery:
    """A new, untried row of the outbox, due now."""
    return MailDelivery(
        kind=kind,
        document_id=document_id,
        signer_id=signer_id,
        to=to,
        once_key=once_key,
        attempts=0,
        next_attempt_at=now,
    )


def queue_turn(session: Session, services: Services, document: Document, signer: Signer) -> None:
    """It is ``signer``'s turn (a first link, a reissued one, a Plt/Plh's): tell them, if they have
    an e-mail address. Once per link; the caller commits.
    """
    if not signer.email or signer.link_nonce is None:
        return
    if signer.id is None:
        session.flush()
    session.add(
        _delivery(
            "turn",
            document_id=document.id,
            signer_id=signer.id,
            to=signer.email,
            once_key=f"turn:{signer.id}:{_link_key(signer)}",
            now=services.clock.now(),
        )
    )


def queue_completed(session: Session, services: Services, document: Document) -> None:
    """The document is complete: the pegawai gets a link to the signed copy (if the payload gives
    their e-mail); the caller commits. A confidential record (konseling) is never sent out as a
    link: it is opened only by its HR client and the archivists granted the permission.
    """
    if document.type in CONFIDENTIAL_TYPES:
        return
    pegawai = payload_of(document).get("pegawai") or {}
    to = pegawai.get("email") if isinstance(pegawai, dict) else None
    if not to:
        return
    session.add(
        _delivery(
            "completed",
            document_id=document.id,
            signer_id=None,
            to=str(to),
            once_key=f"completed:{document.id}",
            now=services.clock.now(),
        )
    )


def queue_refusal(session: Session, services: Services, document: Document) -> None:
    """A signer refused: every earlier signer who already signed (and has an e-mail) is told who
    refused and why; the caller commits.
    """
    for signer in document.signers:
        if signer.status == "signed" and signer.email:
            session.add(
                _delivery(
                    "refused",
                    document_id=document.id,
                    signer_id=signer.id,
                    to=signer.email,
                    once_key=f"refused:{signer.id}",
                    now=services.clock.now(),
                )
            )


def _unused_links(*conditions: ColumnElement[bool]) -> Select[Signer]:
    """The signers whose turn it is, with a link issued and not used, that also meet ``conditions``."""
    return (
        select(Signer)
        .join(Document, Document.id == Signer.document_id)
        .where(
            Document.status == "awaiting_signature",
            Signer.status == "pending",
            Signer.link_nonce.is_not(None),
            Signer.link_used_at.is_(None),
            *conditions,
        )
    )


def sweep_reminders(session: Session, services: Services) -> int:
    """Queue the reminders that are due: for each live link of a signer with e-mail, the nearest day
    of ``REMINDER_DAYS`` whose time has come, once per link and day; never for a used, expired or
    locked link. Committed; returns how many were queued.
    """
    days = [d for d in services.settings.reminder_days if timedelta(days=d) < services.settings.sign_link_ttl]
    if not days:
        return 0
    now = services.clock.now()
    waiting = session.scalars(
        _unused_links(
            Signer.email.is_not(None),
            Signer.link_expires_at > now,
            Signer.failed_attempts < MAX_FAILED_ATTEMPTS,
        )
    ).all()
    queued = 0
    for signer in waiting:
        assert signer.link_expires_at is not None  # noqa: S101  (filtered above)
        due = [d for d in days if now >= as_utc(signer.link_expires_at) - timedelta(days=d)]
        if not due or not signer.email:
            continue
        key = f"reminder:{signer.id}:{_link_key(signer)}:{min(due)}"
        if session.scalar(select(MailDelivery.id).where(MailDelivery.once_key == key)) is not None:
            continue
        try:
            with session.begin_nested():  # another sweep may queue the same one at the same time
                session.add(
                    _delivery(
                        "reminder",
                        document_id=signer.document_id,
                        signer_id=signer.id,
                        to=signer.email,
                        once_key=key,
                        now=now,
                    )
                )
        except IntegrityError:
            continue
        queued += 1
    session.commit()
    return queued


def sweep_expired_links(session: Session, services: Services) -> int:
    """Report each signing link that expired unused, once per link: audited ``link_expired`` and a
    ``signer.link_expired`` webhook (the HR client reissues it or delegates). Committed; how many.
    """
    now = services.clock.now()
    unreported = or_(
        Signer.expiry_reported_nonce.is_(None), Signer.expiry_reported_nonce != Signer.link_nonce
    )
    # (id, nonce) now: a link reissued while the sweep runs has a new nonce and is not this one.
    found = session.execute(
        _unused_links(Signer.link_expires_at <= now, unreported).with_only_columns(
            Signer.id, Signer.link_nonce
        )
    ).all()
    session.rollback()
    reported = 0
    for signer_id, nonce in found:
        # Compare-and-set on everything the query asked: of two sweeps one reports it, and a link
        # reissued, used or cancelled meanwhile is not reported at all.
        still = _unused_links(
            Signer.id == signer_id, Signer.link_nonce == nonce, Signer.link_expires_at <= now
        )
        taken = session.execute(
            update(Signer)
            .where(Signer.id.in_(still.with_only_columns(Signer.id).scalar_subquery()), unreported)
            .values(expiry_reported_nonce=nonce)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            continue
        signer = session.get_one(Signer, signer_id)
        document = signer.document
        audit.record(
            session,
            event="link_expired",
            actor="system",
            document_id=document.id,
            data={"urutan": signer.urutan, "peran": signer.peran},
        )
        enqueue(session, services, document, "signer.link_expired", signer=signer)
        session.commit()
        reported += 1
    return reported


# -- rendering (at delivery) ------------------------------------------------------------------------


def _waktu(moment: datetime, services: Services) -> str:
    """``14 Desember 2026 pukul 17.30 WIB``: in the instance's zone."""
    return readable.waktu(as_utc(moment), services.settings.timezone, pukul=True)


def _periode(document: Document) -> str:
    periode = payload_of(document).get("periode") or {}
    if isinstance(periode, dict) and periode.get("mulai") and periode.get("selesai"):
        return readable.periode(periode)
    return str(document.periode_tahun)


def _about(document: Document) -> str:
    pegawai = (
        f"  Pegawai    : {document.pegawai_nama} (NIP {document.pegawai_nip})\n"
        if document.pegawai_nip
        else ""
    )
    return (
        f"  Dokumen    : {TYPE_LABEL.get(document.type, document.type)}\n"
        f"{pegawai}"
        f"  Unit kerja : {document.unit_kerja}\n"
        f"  Periode    : {_periode(document)}\n"
    )


def _requester(session: Session, document: Document) -> str:
    client = session.get(ApiClient, document.client_id)
    name = client.name if client is not None else "sistem kepegawaian"
    return f"{name} ({document.instansi})" if document.instansi else name


@dataclass(frozen=True)
class _Dropped:
    """The message no longer applies; why (recorded as the row's ``last_error``)."""

    reason: str


_FOOTER = (
    "\n--\nPesan ini dikirim otomatis oleh layanan tanda tangan elektronik SKP; balasan ke alamat ini "
    "tidak dibaca.\n"
)


def _signing_mail(
    session: Session,
    services: Services,
    row: MailDelivery,
    document: Document,
    signer: Signer,
    *,
    now: datetime,
) -> Mail | _Dropped:
    """The turn message or a reminder, with the live link; dropped once the link cannot be used."""
    if row.once_key is None or _link_key(signer) not in row.once_key:
        return _Dropped("tautan sudah diganti dengan tautan baru")
    if document.status != "awaiting_signature" or signer.failed_attempts >= MAX_FAILED_ATTEMPTS:
        return _Dropped("tautan tidak dapat dipakai lagi (dokumen berubah atau tautan terkunci)")
    token = live_token(signer, secret=services.settings.secret_key, now=now)
    if token is None or signer.link_expires_at is None or signer.email != row.to:
        return _Dropped("tautan sudah dipakai, kedaluwarsa atau penanda tangan berganti")
    type_label = TYPE_LABEL.get(document.type, document.type)
    deadline = _waktu(signer.link_expires_at, services)
    link = services.urls.sign(token)
    peran = PERAN_LABEL.get(signer.peran, signer.peran)
    if row.kind == "turn":
        subject = f"Menunggu tanda tangan Anda: {type_label} a.n. {document.subjek}"
        opening = (
            f"{_requester(session, document)} meminta tanda tangan elektronik Anda sebagai {peran} pada:"
        )
    else:
        left = as_utc(signer.link_expires_at) - now
        days = -(-left // timedelta(days=1))  # whole days left, rounded up: the 3-day reminder says 3
        sisa = f"{days} hari lagi"
        subject = f"Pengingat: {type_label} a.n. {document.subjek} menunggu tanda tangan Anda ({sisa})"
        opening = (
            f"Dokumen berikut masih menunggu tanda tangan Anda sebagai {peran}; tautannya berakhir {sisa}:"
        )
    body = (
        f"Yth. {signer.nama},\n\n{opening}\n\n{_about(document)}\n"
        f"Buka tautan berikut untuk membaca dokumen, lalu menandatangani atau menolaknya dengan alasan:\n\n"
        f"  {link}\n\n"
        f"Batas waktu: {deadline}. Tautan ini khusus untuk Anda dan hanya dapat dipakai sekali; "
        "jangan teruskan kepada orang lain.\n" + _FOOTER
    )
    return Mail(to=row.to, subject=subject, body=body, message_id=_message_id(services, row))


def _completed_mail(
    session: Session, services: Services, row: MailDelivery, document: Document, now: datetime
) -> Mail | _Dropped:
    if document.status != "completed":
        return _Dropped(f"dokumen berstatus {document.status}")
    token = issue_download_link(session, services, document, now=now)
    link = services.urls.copy(token)
    until = _waktu(now + services.settings.download_link_ttl, services)
    type_label = TYPE_LABEL.get(document.type, document.type)
    body = (
        f"Yth. {document.pegawai_nama},\n\n"
        f"{type_label} Anda telah ditandatangani oleh semua penanda tangan dan selesai:\n\n"
        f"{_about(document)}\n"
        "Unduh salinan dokumen yang telah ditandatangani secara elektronik melalui tautan berikut:\n\n"
        f"  {link}\n\n"
        f"Tautan berlaku sampai {until}. Keaslian dokumen dapat diperiksa dengan memindai kode QR "
        f"pada dokumen atau membuka {services.urls.verify(document.verification_code)}.\n" + _FOOTER
    )
    subject = f"Dokumen selesai ditandatangani: {type_label} periode {_periode(document)}"
    return Mail(to=row.to, subject=subject, body=body, message_id=_message_id(services, row))


def _refused_mail(
    session: Session, services: Services, row: MailDelivery, document: Document, signer: Signer
) -> Mail | _Dropped:
    refuser = next((s for s in document.signers if s.status == "rejected"), None)
    if document.status != "rejected" or refuser is None:
        return _Dropped(f"dokumen berstatus {document.status}")
    type_label = TYPE_LABEL.get(document.type, document.type)
    peran = PERAN_LABEL.get(refuser.peran, refuser.peran)
    body = (
        f"Yth. {signer.nama},\n\n"
        f"{refuser.nama} ({peran}) menolak menandatangani dokumen yang telah Anda tandatangani:\n\n"
        f"{_about(document)}\n"
        f"Alasan penolakan:\n\n  {refuser.reject_reason or '-'}\n\n"
        "Dokumen ini dihentikan dan tidak diteruskan kepada penanda tangan berikutnya. Bila perlu, "
        f"{_requester(session, document)} menerbitkan dokumen perbaikan yang ditandatangani kembali.\n"
        + _FOOTER
    )
    subject = f"Dokumen ditolak oleh {peran}: {type_label} a.n. {document.subjek}"
    return Mail(to=row.to, subject=subject, body=body, message_id=_message_id(services, row))


def _message_id(services: Services, row: MailDelivery) -> str:
    domain = services.settings.mail_from.rpartition("@")[2] or "localhost"
    return f"<skp-mail-{row.id}@{domain}>"


def _render(session: Session, services: Services, row: MailDelivery, now: datetime) -> Mail | _Dropped:
    document = session.get(Document, row.document_id)
    if document is None:
        return _Dropped("dokumen tidak ada")
    if row.kind == "completed":
        return _completed_mail(session, services, row, document, now)
    signer = session.get(Signer, row.signer_id) if row.signer_id is not None else None
    if signer is None:
        return _Dropped("penanda tangan tidak ada")
    if row.kind == "refused":
        return _refused_mail(session, services, row, document, signer)
    return _signing_mail(session, services, row, document, signer, now=now)


# -- delivery --------------------------------------------------------------------------------------


def deliver_mail(session: Session, services: Services, *, first_retry: float = FIRST_RETRY) -> int:
    """Render and send every message that is due (oldest first); returns how many were sent.

    A failed send (no connection, a 4xx or 5xx answer) is tried again after ``first_retry``
    seconds, then doubling (at most an hour), for as long as it takes.
    """
    now = services.clock.now()
    due = session.scalars(
        select(MailDelivery)
        .where(_UNFINISHED, MailDelivery.next_attempt_at <= now)
        .order_by(MailDelivery.id)
        .limit(_BATCH)
    ).all()
    smtp = services.settings.smtp
    hold = timedelta(seconds=(smtp.timeout if smtp else 30.0) * 3 + 30)  # connect, TLS, send
    sent = 0
    for row in due:
        if not claim(session, row, unfinished=_UNFINISHED, now=now, hold=hold):
            continue
        now = services.clock.now()
        mail = _render(session, services, row, now)
        if isinstance(mail, _Dropped):
            row.dropped_at, row.last_error = now, mail.reason
            _record(session, row, "mail_dropped", reason=mail.reason)
            session.commit()
            continue
        session.commit()  # a download link made for the message works before the message arrives
        try:
            services.notifier.send(mail)
        except OSError as error:
            retry_later(
                row, f"{type(error).__name__}: {error}", now=services.clock.now(), first_retry=first_retry
            )
            log.warning(
                "mail %d (%s) not sent, attempt %d: %s", row.id, row.kind, row.attempts, row.last_error
            )
            session.commit()
            continue
        row.sent_at, row.last_error = services.clock.now(), None
        _record(session, row, "mail_sent", subject=mail.subject)
        session.commit()
        sent += 1
    return sent


def _record(session: Session, row: MailDelivery, event: str, **data: object) -> None:
    audit.record(
        session,
        event=event,
        actor="system",
        document_id=row.document_id,
        data={"mail": row.id, "kind": row.kind, "to": mask_email(row.to), "attempts": row.attempts, **data},
    )


class MailDispatcher(Rounds):
    """A background thread: queue due reminders every ``sweep_interval`` seconds (the first at
    start) and send due mail every ``interval`` seconds.
    """

    name = "skp-mail"

    def __init__(
        self,
        *,
        services: Services,
        interval: float = 2.0,
        sweep_interval: float = 300.0,
        first_retry: float = FIRST_RETRY,
    ) -> None:
        super().__init__(interval=interval)
        self.services = services
        self.sweep_interval = sweep_interval
        self.first_retry = first_retry
        self._next_sweep: datetime | None = None

    def run_once(self) -> tuple[int, int]:
        """One round: the reminder sweep when due, then delivery; (queued, sent)."""
        queued = 0
        with self.services.sessions() as session:
            now = self.services.clock.now()
            if self._next_sweep is None or now >= self._next_sweep:
                self._next_sweep = now + timedelta(seconds=self.sweep_interval)
                queued = sweep_reminders(session, self.services)
                sweep_expired_links(session, self.services)
            return queued, deliver_mail(session, self.services, first_retry=self.first_retry)
