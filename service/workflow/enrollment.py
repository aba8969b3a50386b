"""Enrollment: binding an official's key to the official a signing link names.

A link proves only that someone holds it. So the first key of an official within an instansi (a
passphrase chosen for the instance CA, or an uploaded ``.p12``) and every new key after it (a lost
passphrase) also need a one-time ``kode_verifikasi``: e-mailed to the identity's address when it has
one, otherwise handed to the HR client that created the document, which thereby vouches for the
official (recorded). A new key needs a code through the channel that enrolled the old one; the old
certificate is then revoked.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.orm import Session

from service import audit
from service.errors import ConflictError, ServiceError
from service.interfaces import Mail
from service.models import Document, EnrollmentCode, Signer, SignerKey
from service.scoring.vocabulary import PERAN_LABEL, TYPE_LABEL
from service.services import Services
from service.tenancy import Caller

__all__ = [
    "CODE_DIGITS",
    "RESEND_AFTER",
    "Channel",
    "MailUnavailableError",
    "active_key",
    "channel_for",
    "code_for_client",
    "mask_email",
    "redeem",
    "send_code",
]

log = logging.getLogger(__name__)


class MailUnavailableError(ServiceError):
    """The code could not be e-mailed now (the mail server did not take it); nothing was kept."""

    status = 503
    slug = "mail-unavailable"


#: 10^8 codes against at most 5 tries per link before it locks.
CODE_DIGITS = 8
#: A code is e-mailed again on request only this long after the last one.
RESEND_AFTER = timedelta(minutes=1)


@dataclass(frozen=True)
class Channel:
    """How an official proves who they are: ``email`` (to ``address``) or ``client`` (the HR client)."""

    kind: str
    address: str | None = None


def active_key(session: Session, document: Document, nip: str) -> SignerKey | None:
    """The official's key within the document's instansi, if one is enrolled and not revoked."""
    return session.scalar(
        select(SignerKey).where(
            SignerKey.instansi_key == document.instansi_key,
            SignerKey.nip == nip,
            SignerKey.revoked_at.is_(None),
        )
    )


def channel_for(session: Session, document: Document, signer: Signer) -> Channel:
    """Where a code for ``signer`` comes from: the channel that enrolled their key, else their e-mail,
    else the HR client.
    """
    key = active_key(session, document, signer.nip)
    if key is not None and key.enrolled_via == "email" and key.enrolled_email:
        return Channel("email", key.enrolled_email)
    if key is not None and key.enrolled_via == "client":
        return Channel("client")
    return Channel("email", signer.email) if signer.email else Channel("client")


def mask_email(address: str) -> str:
    """``f****@banyumaskab.go.id``: enough for the official to recognise, not to harvest."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}{'*' * max(len(local) - 1, 3)}@{domain}"


def _digest(services: Services, signer: Signer, code: str) -> str:
    # Keyed: 10^8 codes are nothing to brute-force from a stolen table, an HMAC under the server's
    # key is. Bound to the signer row, so a code works on its own link only.
    message = f"enrollment:{signer.id}:{code}".encode()
    return hmac.new(services.settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


def _live(now: datetime) -> ColumnElement[bool]:
    return and_(EnrollmentCode.used_at.is_(None), EnrollmentCode.expires_at > now)


def _issue(
    session: Session, services: Services, signer: Signer, channel: Channel, *, client_id: int | None
) -> tuple[str, EnrollmentCode]:
    """A new code for ``signer``; any earlier live one dies (one code at a time)."""
    now = services.clock.now()
    session.execute(
        update(EnrollmentCode)
        .where(EnrollmentCode.signer_id == signer.id, _live(now))
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = EnrollmentCode(
        signer_id=signer.id,
        code_hmac=_digest(services, signer, code),
        channel=channel.kind,
        sent_to=channel.address,
        client_id=client_id,
        created_at=now,
        expires_at=now + services.settings.enrollment_code_ttl,
    )
    session.add(row)
    return code, row


def send_code(
    session: Session, services: Services, document: Document, signer: Signer, *, ip: str | None, again: bool
) -> Channel:
    """E-mail a code when the channel is e-mail and no code is live (``again``: a new one, at most
    once per :data:`RESEND_AFTER`). The caller commits. Returns the channel, for the page to say.
    """
    channel = channel_for(session, document, signer)
    if channel.kind != "email" or channel.address is None:
        return channel
    now = services.clock.now()
    latest = session.scalar(
        select(EnrollmentCode)
        .where(EnrollmentCode.signer_id == signer.id, _live(now))
        .order_by(EnrollmentCode.created_at.desc())
        .limit(1)
    )
    if latest is not None and (not again or now - _aware(latest.created_at, now) < RESEND_AFTER):
        return channel
    code, row = _issue(session, services, signer, channel, client_id=None)
    try:
        # At once, not through the mail outbox: that would need the raw code at rest.
        services.notifier.send(
            _mail(services, document, signer, to=channel.address, code=code, expires_at=row.expires_at)
        )
    except OSError as error:
        # A code the official never got must not count as live (it would block a new one).
        session.rollback()
        log.warning("kode_verifikasi for signer %d not sent: %s: %s", signer.id, type(error).__name__, error)
        raise MailUnavailableError(
            "Kode verifikasi belum dapat dikirim ke e-mail Anda karena server e-mail sedang bermasalah. "
            "Silakan coba lagi beberapa saat lagi."
        ) from None
    audit.record(
        session,
        event="enrollment_code_sent",
        actor="system",
        document_id=document.id,
        ip=ip,
        data={"urutan": signer.urutan, "channel": "email", "to": mask_email(channel.address)},
    )
    return channel


def _aware(moment: datetime, like: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=like.tzinfo)


def _mail(
    services: Services, document: Document, signer: Signer, *, to: str, code: str, expires_at: datetime
) -> Mail:
    until = expires_at.astimezone(services.settings.timezone)
    return Mail(
        to=to,
        # Not the code itself: subjects are logged and shown in notifications; the body has it.
        subject=f"Kode verifikasi tanda tangan {TYPE_LABEL.get(document.type, document.type)}",
        body=(
            f"Yth. {signer.nama},\n\n"
            f"Untuk menandatangani {TYPE_LABEL.get(document.type, document.type)} "
            f"a.n. {document.subjek} sebagai {PERAN_LABEL[signer.peran]}, layanan membuat kunci "
            "tanda tangan atas nama Anda. Isikan kode verifikasi berikut pada halaman tanda tangan:\n\n"
            f"    {code}\n\n"
            f"Kode berlaku sampai {until:%d-%m-%Y %H:%M} {until.tzname()} dan hanya sekali pakai.\n"
            "Jika Anda tidak sedang menandatangani dokumen, abaikan pesan ini dan jangan berikan kode "
            "ini kepada siapa pun.\n"
        ),
    )


def code_for_client(
    session: Session, services: Services, document: Document, urutan: int, caller: Caller, *, ip: str | None
) -> tuple[str, datetime]:
    """A code handed to the HR client that created the document, for an official without e-mail;
    the client thereby vouches for the official (recorded). Each call makes a new code.

    :raises ConflictError: not that signer's turn, or their codes go to their e-mail.
    """
    signer = next((s for s in document.signers if s.urutan == urutan), None)
    if signer is None:
        raise ConflictError(f"Penanda tangan urutan {urutan} tidak ada.")
    if document.status != "awaiting_signature" or signer.status != "pending":
        raise ConflictError("Kode verifikasi hanya untuk penanda tangan yang sedang giliran.")
    channel = channel_for(session, document, signer)
    if channel.kind != "client":
        raise ConflictError(
            "Kode verifikasi penanda tangan ini dikirim ke e-mailnya sendiri, bukan kepada klien.",
            channel="email",
        )
    code, row = _issue(session, services, signer, channel, client_id=caller.client_id)
    audit.record(
        session,
        event="enrollment_code_issued",
        actor=caller.actor,
        document_id=document.id,
        ip=ip,
        data={"urutan": urutan, "channel": "client", "expires_at": row.expires_at},
    )
    session.commit()
    return code, row.expires_at


def redeem(session: Session, services: Services, signer: Signer, code: str) -> EnrollmentCode | None:
    """Use up ``signer``'s live code if ``code`` is it; ``None`` if it is not (the caller counts a
    failed attempt). The code is marked used under a guard, so two requests cannot both use it.

    :raises ConflictError: the right code, used a moment ago by a concurrent request.
    """
    typed = "".join(ch for ch in code if ch.isdigit() and ch.isascii())
    if len(typed) != CODE_DIGITS:
        return None
    now = services.clock.now()
    wanted = _digest(services, signer, typed)
    rows = session.scalars(select(EnrollmentCode).where(EnrollmentCode.signer_id == signer.id, _live(now)))
    match = next((row for row in rows if hmac.compare_digest(row.code_hmac, wanted)), None)
    if match is None:
        return None
    used = session.execute(
        update(EnrollmentCode)
        .where(EnrollmentCode.id == match.id, EnrollmentCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError("Kode verifikasi ini baru saja dipakai oleh permintaan lain.")
    match.used_at = now
    return match
