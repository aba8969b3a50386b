"""Sealing and approval signatures on stored documents: the service side of :mod:`signing`.

Every signature follows :mod:`service.workflow.revisions`: new bytes → new file → one guarded
update, committed by the operation together with the status change and the audit event.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from service import audit, throttle
from service.errors import ConflictError, LockedError, UnprocessableError
from service.interfaces import DocumentSigner
from service.models import Document, Signer, SignerKey
from service.scoring.vocabulary import PERAN_LABEL
from service.services import Services
from service.settings import Settings
from service.workflow.enrollment import active_key, redeem
from service.workflow.links import issue_link
from service.workflow.revisions import add_revision, read_revision
from service.workflow.stored import nomor_label, payload_of
from service.workflow.webhooks import enqueue
from signing import P12Inspection, Pkcs12Signer, StampInfo, add_document_timestamp, approve, inspect_p12, seal
from signing.errors import KeyFileError, WrongPassphraseError

__all__ = [
    "MAX_FAILED_ATTEMPTS",
    "UploadedKeyError",
    "WrongPassphraseServiceError",
    "has_key",
    "make_pending",
    "peran_label",
    "seal_document",
    "sign_document",
    "sign_limit",
]

log = logging.getLogger(__name__)

#: Wrong passphrases allowed before the signer's link locks (api.md: "locked after 5").
MAX_FAILED_ATTEMPTS = 5


class WrongPassphraseServiceError(UnprocessableError):
    """The passphrase does not open the signer's key, or the enrollment code is wrong (``code``);
    says how many attempts are left.
    """

    def __init__(self, detail: str, *, attempts_left: int, code: bool = False) -> None:
        super().__init__(detail, attempts_left=attempts_left)
        self.attempts_left = attempts_left
        self.code = code


class _KeyDidNotOpenError(Exception):
    """The passphrase, the uploaded file's passphrase or the enrollment code was wrong;
    :func:`sign_document` counts it.
    """

    def __init__(self, detail: str, *, code: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code


class UploadedKeyError(UnprocessableError):
    """A signer's own ``.p12`` cannot be used (reasons in the detail)."""


def seal_document(
    session: Session,
    services: Services,
    document: Document,
    *,
    payload: Mapping[str, Any],
    unsigned: bytes | None = None,
) -> None:
    """Certify revision 0 with the instance seal; the document then awaits its first signer.

    ``unsigned`` is revision 0 when the caller has just made it (it is read back only when a job
    resumes after a crash). The caller commits.
    """
    if unsigned is None:
        unsigned = read_revision(session, services.store, document, 0)
    sealed = seal(
        unsigned,
        signer=services.seal_signer(),
        timestamper=services.timestamper(),
        trust=services.trust(),
        location=payload.get("tempat"),
    )
    add_revision(session, services.store, document, data=sealed, kind="seal", based_on=0)
    document.status = "awaiting_signature"
    audit.record(session, event="sealed", actor="system", document_id=document.id, data={"revision": 1})
    if document.signers:
        make_pending(session, services, document, document.signers[0])
    enqueue(session, services, document, "document.ready")


def peran_label(signer: Signer) -> str:
    """The role as printed on the stamp; a Plt/Plh signs "Plt. <role>"."""
    label = PERAN_LABEL[signer.peran]
    if signer.delegate_json:
        jenis = json.loads(signer.delegate_json)["jenis"]
        label = f"{jenis.capitalize()}. {label}"
    return label


def make_pending(session: Session, services: Services, document: Document, signer: Signer) -> None:
    """It is ``signer``'s turn: issue the link and record it."""
    signer.status = "pending"
    issue_link(signer, ttl=services.settings.sign_link_ttl, now=services.clock.now())
    audit.record(
        session,
        event="link_issued",
        actor="system",
        document_id=document.id,
        data={"urutan": signer.urutan, "peran": signer.peran, "expires_at": signer.link_expires_at},
    )


def has_key(session: Session, document: Document, nip: str) -> bool:
    """Whether the official has an active key in the document's instansi (else signing enrolls one)."""
    return active_key(session, document, nip) is not None


def _names_signer(found: P12Inspection, signer: Signer, nik: str | None) -> bool:
    """Whether the certificate's serialNumber is the signer's NIP or NIK (digits compared, so the
    ``NIK:``/``NIP-`` prefixes some CAs add do not matter).
    """
    digits = "".join(ch for ch in (found.nip or "") if ch.isascii() and ch.isdigit())
    return bool(digits) and digits in {signer.nip, nik}


def _uploaded_key(
    services: Services, document: Document, signer: Signer, p12: bytes, passphrase: str
) -> SignerKey:
    """Check a signer's own ``.p12`` before it is kept: key matches, valid now, chain trusted, and
    the certificate names this official. Only a wrong passphrase counts as a failed attempt.
    """
    try:
        found = inspect_p12(p12, passphrase.encode(), trust=services.trust())
    except WrongPassphraseError:
        raise _KeyDidNotOpenError("Frasa sandi tidak membuka berkas .p12 ini.") from None
    except KeyFileError as error:
        raise UploadedKeyError(f"Berkas .p12 tidak dapat dipakai: {error.message}.") from None
    problems = []
    if not found.key_matches_certificate:
        problems.append("kunci privat tidak cocok dengan sertifikat")
    if found.expired or found.not_yet_valid:
        problems.append(
            f"sertifikat tidak berlaku sekarang ({found.not_before:%d-%m-%Y} s.d. {found.not_after:%d-%m-%Y})"
        )
    if found.chain_trusted is False:
        problems.append(f"sertifikat tidak diterbitkan CA yang dipercaya layanan ini ({found.chain_problem})")
    nik = _identity_nik(document, signer)
    if not _names_signer(found, signer, nik):
        named = f"atas nomor {found.nip}" if found.nip else "tanpa NIP atau NIK pada subjeknya"
        problems.append(f"sertifikat {named}, bukan NIP {signer.nip}" + (f" atau NIK {nik}" if nik else ""))
    if problems:
        raise UploadedKeyError("Berkas .p12 ditolak: " + "; ".join(problems) + ".")
    certificate = pkcs12.load_pkcs12(p12, passphrase.encode()).cert
    pem = certificate.certificate.public_bytes(Encoding.PEM).decode() if certificate else ""
    return SignerKey(nip=signer.nip, p12=p12, certificate_pem=pem, source="uploaded")


def _identity_nik(document: Document, signer: Signer) -> str | None:
    """The NIK the payload gives the signer's identity (not a delegate's: theirs is not known)."""
    if signer.delegate_json:
        return None
    identity = payload_of(document).get(signer.peran) or {}
    nik = identity.get("nik") or (identity.get("sertifikat") or {}).get("nik")
    return str(nik) if nik else None


@dataclass(frozen=True)
class _Key:
    """The key a signature uses, and the certificate a re-enrollment replaced (revoked after commit)."""

    signer: DocumentSigner
    replaced: SignerKey | None = None


def _signer_key(
    session: Session,
    services: Services,
    document: Document,
    signer: Signer,
    passphrase: str,
    *,
    uploaded_p12: bytes | None = None,
    kode: str = "",
    reenroll: bool = False,
) -> _Key:
    """Open the official's PKCS#12 with the passphrase; to enroll (no key yet, or ``reenroll``),
    redeem the code first, then issue a key or take their ``.p12``.
    """
    row = active_key(session, document, signer.nip)
    chain = services.pki().chain
    if row is not None and not reenroll:
        try:
            return _Key(Pkcs12Signer.load(row.p12, passphrase.encode(), chain=chain))
        except KeyFileError as error:
            raise _KeyDidNotOpenError(error.message) from None
    # An uploaded file is checked before the code is used up: a wrong file must not cost the code.
    uploaded = (
        None if uploaded_p12 is None else _uploaded_key(services, document, signer, uploaded_p12, passphrase)
    )
    code = redeem(session, services, signer, kode)
    if code is None:
        raise _KeyDidNotOpenError("Kode verifikasi salah atau sudah tidak berlaku.", code=True)
    if uploaded is not None:
        new = uploaded
        key: DocumentSigner = Pkcs12Signer.load(new.p12, passphrase.encode(), chain=chain)
    else:
        issued = services.issuer().issue(
            nama=signer.nama,
            nip=signer.nip,
            jabatan=signer.jabatan,
            instansi=document.instansi or services.pki().organisation,
            passphrase=passphrase.encode(),
        )
        new = SignerKey(
            nip=signer.nip, p12=issued.p12, source="issued", certificate_pem=issued.certificate_pem
        )
        key = issued.signer
    new.instansi_key = document.instansi_key
    new.enrolled_via = code.channel
    new.enrolled_email = code.sent_to
    new.vouched_by_client_id = code.client_id
    if row is not None:
        row.revoked_at = services.clock.now()
    session.add(new)
    try:
        # Now, not at some later autoflush: two first uses racing meet here, and the loser is told.
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ConflictError(
            "Kunci tanda tangan Anda baru saja dibuat oleh permintaan lain; muat ulang halaman."
        ) from None
    audit.record(
        session,
        event="key_enrolled",
        actor=f"nip:{signer.nip}",
        document_id=document.id,
        data={
            "urutan": signer.urutan,
            "source": new.source,
            "channel": code.channel,
            "vouched_by_client_id": code.client_id,
            "serial_number": format(_serial(new.certificate_pem), "x"),
            "replaces_serial_number": format(_serial(row.certificate_pem), "x") if row else None,
        },
    )
    return _Key(key, replaced=row)


def _serial(pem: str) -> int:
    return x509.load_pem_x509_certificate(pem.encode()).serial_number


def _revoke_replaced(services: Services, replaced: SignerKey, *, document: Document, actor: str) -> None:
    """Put a re-enrolled official's old certificate on the instance CA's CRL (after the commit that
    retired it here; an uploaded certificate's own CA is not ours to tell).
    """
    if replaced.source != "issued":
        return
    serial = _serial(replaced.certificate_pem)
    try:
        services.revoke_certificate(serial)
    except OSError as error:
        # The signature is committed and the old key retired here; the CRL is what failed.
        log.error("could not put certificate %x on the CRL: %s", serial, error)
        event, data = (
            "certificate_revocation_failed",
            {"serial_number": format(serial, "x"), "error": str(error)},
        )
    else:
        event, data = "certificate_revoked", {"serial_number": format(serial, "x"), "reason": "superseded"}
    with services.sessions() as session:
        audit.record(session, event=event, actor=actor, document_id=document.id, data=data)
        session.commit()


def sign_limit(settings: Settings) -> throttle.AddressLimit:
    """The per-address limit on wrong signing passphrases, across every link."""
    return throttle.AddressLimit(
        scope="sign", max_failures=settings.address_max_failures, window=settings.address_window
    )


def _lock_attempts(session: Session, document: Document, signer: Signer) -> None:
    """Hold the document's and the signer's rows until this transaction ends and refuse a locked
    link (423).

    The document first, as a refusal or a cancellation takes it (then its signers): taken in the
    other order, a signature and a refusal racing deadlock on PostgreSQL. The no-op ``UPDATE`` takes
    the row lock on PostgreSQL and the write lock on SQLite, and returns the count as it is now, not
    as it was read: concurrent attempts on one link are checked one after the other, each sees the
    ones before it, and a link locks after exactly 5.
    """
    session.execute(select(Document.id).where(Document.id == document.id).with_for_update())
    count = session.execute(
        update(Signer)
        .where(Signer.id == signer.id, Signer.status == "pending")
        .values(failed_attempts=Signer.failed_attempts)
        .returning(Signer.failed_attempts)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if count is None:
        # Another request signed (or refused) while this one waited.
        session.rollback()
        raise ConflictError("Belum atau bukan lagi giliran penanda tangan ini.")
    set_committed_value(signer, "failed_attempts", count)
    if count >= MAX_FAILED_ATTEMPTS:
        session.rollback()
        raise LockedError(f"Tautan terkunci setelah {MAX_FAILED_ATTEMPTS} kali frasa sandi salah.")


def sign_document(
    session: Session,
    services: Services,
    document: Document,
    *,
    urutan: int,
    passphrase: str,
    actor: str,
    ip: str | None,
    uploaded_p12: bytes | None = None,
    kode: str = "",
    reenroll: bool = False,
) -> Signer:
    """Add signer ``urutan``'s approval signature; the last one also gets the LTA timestamp.

    An official without a key in the document's instansi (or who asks to ``reenroll``) enrolls one
    first, proven by ``kode`` (:mod:`service.workflow.enrollment`); a wrong code counts like a wrong
    passphrase.

    :raises ConflictError: out of turn, document not awaiting signatures, or lost a race.
    :raises WrongPassphraseServiceError: the passphrase does not open the key (counted; locks at 5).
    :raises LockedError: the link is locked after too many wrong passphrases.
    :raises TooManyAttemptsError: the address has made too many wrong attempts (429, on any link).
    """
    if document.status != "awaiting_signature":
        raise ConflictError(f"Dokumen berstatus {document.status!r}, tidak menunggu tanda tangan.")
    signer = next((s for s in document.signers if s.urutan == urutan), None)
    if signer is None or signer.status != "pending":
        raise ConflictError("Belum atau bukan lagi giliran penanda tangan ini.")
    now = services.clock.now()
    limit = sign_limit(services.settings)
    throttle.check(
        session,
        limit,
        ip,
        now=now,
        detail="Terlalu banyak frasa sandi salah dari alamat ini.",
    )
    _lock_attempts(session, document, signer)
    based_on = document.current_revision
    try:
        chosen = _signer_key(
            session,
            services,
            document,
            signer,
            passphrase,
            uploaded_p12=uploaded_p12,
            kode=kode,
            reenroll=reenroll,
        )
    except (UploadedKeyError, ConflictError):
        session.rollback()
        raise
    except _KeyDidNotOpenError as error:
        # No rollback first: this transaction still holds the signer's row (``_lock_attempts``), so
        # no other attempt is checked until this one is counted.
        failed = session.execute(
            update(Signer)
            .where(Signer.id == signer.id)
            .values(failed_attempts=Signer.failed_attempts + 1)
            .returning(Signer.failed_attempts)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        set_committed_value(signer, "failed_attempts", failed)
        throttle.hit(session, limit, ip, now=now)
        audit.record(
            session,
            event="sign_failed",
            actor=actor,
            document_id=document.id,
            ip=ip,
            data={"urutan": urutan, "failed_attempts": failed},
        )
        session.commit()
        raise WrongPassphraseServiceError(
            error.detail, attempts_left=MAX_FAILED_ATTEMPTS - failed, code=error.code
        ) from None
    current = read_revision(session, services.store, document, based_on)
    timestamper, trust = services.timestamper(), services.trust()
    signed = approve(
        current,
        field_name=signer.field_name,
        signer=chosen.signer,
        timestamper=timestamper,
        trust=trust,
        stamp=StampInfo(
            nama=signer.nama,
            nip=signer.nip,
            nomor=nomor_label(document, signer),
            peran_label=peran_label(signer),
            # Shown on the stamp in the agency's zone (WIB/WITA/WIT); stored times stay UTC.
            waktu=services.clock.now().astimezone(services.settings.timezone),
            verify_url=services.urls.verify(document.verification_code),
        ),
    )
    last = signer is document.signers[-1]
    if last:
        signed = add_document_timestamp(signed, timestamper=timestamper, trust=trust)
    try:
        add_revision(
            session,
            services.store,
            document,
            data=signed,
            kind="signature",
            based_on=based_on,
            require_status="awaiting_signature",
        )
        _advance(session, services, document, signer, actor=actor, ip=ip, revision=based_on + 1)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ConflictError("Dokumen sedang ditandatangani oleh permintaan lain.") from None
    except ConflictError:
        session.rollback()
        raise
    if chosen.replaced is not None:
        _revoke_replaced(services, chosen.replaced, document=document, actor=actor)
    if last:
        services.runner.submit("history", document.id)
    return signer


def _advance(
    session: Session,
    services: Services,
    document: Document,
    signer: Signer,
    *,
    actor: str,
    ip: str | None,
    revision: int,
) -> None:
    """After ``signer``'s signature: the next signer's turn, or the document is complete."""
    now = services.clock.now()
    signer.status = "signed"
    signer.signed_at = now
    signer.link_used_at = signer.link_used_at or now
    following = [s for s in document.signers if s.urutan > signer.urutan]
    if following:
        make_pending(session, services, document, following[0])
    else:
        document.status = "completed"
    audit.record(
        session,
        event="signed",
        actor=actor,
        document_id=document.id,
        ip=ip,
        data={"urutan": signer.urutan, "peran": signer.peran, "nip": signer.nip, "revision": revision},
    )
    enqueue(session, services, document, "document.signed")
    if not following:
        audit.record(session, event="completed", actor="system", document_id=document.id)
        enqueue(session, services, document, "document.completed")
