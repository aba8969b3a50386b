"""Sealing and approval signatures on stored documents: the service side of :mod:`signing`.

Every signature follows :mod:`service.workflow.revisions`: new bytes → new file → one guarded
update, committed by the operation together with the status change and the audit event.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import audit
from service.errors import ConflictError, LockedError, UnprocessableError
from service.interfaces import DocumentSigner
from service.models import Document, Signer, SignerKey
from service.scoring.vocabulary import PERAN_LABEL
from service.services import Services
from service.workflow.links import issue_link
from service.workflow.revisions import add_revision, read_revision
from service.workflow.stored import payload_of
from service.workflow.webhooks import enqueue
from signing import Pkcs12Signer, StampInfo, add_document_timestamp, approve, inspect_p12, seal
from signing.errors import KeyFileError

__all__ = [
    "MAX_FAILED_ATTEMPTS",
    "UploadedKeyError",
    "WrongPassphraseServiceError",
    "has_key",
    "make_pending",
    "peran_label",
    "seal_document",
    "sign_document",
]

#: Wrong passphrases allowed before the signer's link locks (api.md: "locked after 5").
MAX_FAILED_ATTEMPTS = 5


class WrongPassphraseServiceError(UnprocessableError):
    """The passphrase does not open the signer's key; says how many attempts are left."""

    def __init__(self, detail: str, *, attempts_left: int) -> None:
        super().__init__(detail, attempts_left=attempts_left)
        self.attempts_left = attempts_left


class _KeyDidNotOpenError(Exception):
    """The passphrase (or the uploaded file) did not open the key; :func:`sign_document` counts it."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


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
    issue_link(signer, ttl=services.settings.sign_link_ttl)
    audit.record(
        session,
        event="link_issued",
        actor="system",
        document_id=document.id,
        data={"urutan": signer.urutan, "peran": signer.peran, "expires_at": signer.link_expires_at},
    )


def has_key(session: Session, nip: str) -> bool:
    """Whether the official already has a signing key here (else the next signature enrolls one)."""
    return session.scalar(select(SignerKey.id).where(SignerKey.nip == nip)) is not None


def _uploaded_key(services: Services, signer: Signer, p12: bytes, passphrase: str) -> SignerKey:
    """Check a signer's own ``.p12`` before it is kept: key matches, valid now, chain trusted."""
    try:
        found = inspect_p12(p12, passphrase.encode(), trust=services.trust())
    except KeyFileError as error:
        raise _KeyDidNotOpenError(f"Berkas .p12 tidak dapat dibuka: {error.message}") from None
    problems = []
    if not found.key_matches_certificate:
        problems.append("kunci privat tidak cocok dengan sertifikat")
    if found.expired or found.not_yet_valid:
        problems.append(
            f"sertifikat tidak berlaku sekarang ({found.not_before:%d-%m-%Y} s.d. {found.not_after:%d-%m-%Y})"
        )
    if found.chain_trusted is False:
        problems.append(f"sertifikat tidak diterbitkan CA yang dipercaya layanan ini ({found.chain_problem})")
    if found.nip and found.nip != signer.nip:
        problems.append(f"sertifikat atas NIP {found.nip}, bukan {signer.nip}")
    if problems:
        raise UploadedKeyError("Berkas .p12 ditolak: " + "; ".join(problems) + ".")
    certificate = pkcs12.load_pkcs12(p12, passphrase.encode()).cert
    pem = certificate.certificate.public_bytes(Encoding.PEM).decode() if certificate else ""
    return SignerKey(nip=signer.nip, p12=p12, certificate_pem=pem, source="uploaded")


def _signer_key(
    session: Session,
    services: Services,
    document: Document,
    signer: Signer,
    passphrase: str,
    *,
    uploaded_p12: bytes | None = None,
) -> DocumentSigner:
    """Open the signer's PKCS#12 with the passphrase; on first use, issue one or take theirs."""
    row = session.scalar(select(SignerKey).where(SignerKey.nip == signer.nip))
    chain = services.pki().chain
    if row is None and uploaded_p12 is not None:
        row = _uploaded_key(services, signer, uploaded_p12, passphrase)
        session.add(row)
        return Pkcs12Signer.load(row.p12, passphrase.encode(), chain=chain)
    if row is None:
        issued = services.issuer().issue(
            nama=signer.nama,
            nip=signer.nip,
            jabatan=signer.jabatan,
            instansi=payload_of(document).get("instansi") or services.pki().organisation,
            passphrase=passphrase.encode(),
        )
        session.add(
            SignerKey(nip=signer.nip, p12=issued.p12, source="issued", certificate_pem=issued.certificate_pem)
        )
        return issued.signer
    try:
        return Pkcs12Signer.load(row.p12, passphrase.encode(), chain=chain)
    except KeyFileError as error:
        raise _KeyDidNotOpenError(error.message) from None


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
) -> Signer:
    """Add signer ``urutan``'s approval signature; the last one also gets the LTA timestamp.

    :raises ConflictError: out of turn, document not awaiting signatures, or lost a race.
    :raises WrongPassphraseServiceError: the passphrase does not open the key (counted; locks at 5).
    :raises LockedError: the link is locked after too many wrong passphrases.
    """
    if document.status != "awaiting_signature":
        raise ConflictError(f"Dokumen berstatus {document.status!r}, tidak menunggu tanda tangan.")
    signer = next((s for s in document.signers if s.urutan == urutan), None)
    if signer is None or signer.status != "pending":
        raise ConflictError("Belum atau bukan lagi giliran penanda tangan ini.")
    if signer.failed_attempts >= MAX_FAILED_ATTEMPTS:
        raise LockedError("Tautan terkunci setelah 5 kali frasa sandi salah.")
    based_on = document.current_revision
    try:
        key = _signer_key(session, services, document, signer, passphrase, uploaded_p12=uploaded_p12)
    except UploadedKeyError:
        session.rollback()
        raise
    except _KeyDidNotOpenError as error:
        session.rollback()
        signer.failed_attempts += 1
        audit.record(
            session,
            event="sign_failed",
            actor=actor,
            document_id=document.id,
            ip=ip,
            data={"urutan": urutan, "failed_attempts": signer.failed_attempts},
        )
        session.commit()
        raise WrongPassphraseServiceError(
            error.detail, attempts_left=MAX_FAILED_ATTEMPTS - signer.failed_attempts
        ) from None
    current = read_revision(session, services.store, document, based_on)
    timestamper, trust = services.timestamper(), services.trust()
    signed = approve(
        current,
        field_name=signer.field_name,
        signer=key,
        timestamper=timestamper,
        trust=trust,
        stamp=StampInfo(
            nama=signer.nama,
            nip=signer.nip,
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
        # A concurrent first use created the same signer's key; that attempt won.
        session.rollback()
        raise ConflictError("Dokumen sedang ditandatangani oleh permintaan lain.") from None
    except ConflictError:
        session.rollback()
        raise
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
