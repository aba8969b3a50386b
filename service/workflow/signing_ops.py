"""Sealing and approval signatures on stored documents: the service side of :mod:`signing`.

Every signature follows :mod:`service.workflow.revisions`: new bytes → new file → one guarded commit.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import audit
from service.errors import ConflictError, ServiceError, UnprocessableError
from service.models import Document, Signer, SignerKey, utcnow
from service.workflow.links import issue_link
from service.workflow.revisions import commit_revision, read_revision
from service.workflow.webhooks import enqueue

if TYPE_CHECKING:
    from service.services import Services
    from signing import DocumentSigner

__all__ = [
    "PERAN_LABEL",
    "LockedError",
    "UploadedKeyError",
    "WrongPassphraseServiceError",
    "peran_label",
    "seal_document",
    "sign_document",
]

PERAN_LABEL = {
    "pegawai": "Pegawai yang Dinilai",
    "pejabat_penilai": "Pejabat Penilai Kinerja",
    "atasan_pejabat_penilai": "Atasan Pejabat Penilai Kinerja",
}

#: Wrong passphrases allowed before the signer's link locks (api.md: "locked after 5").
MAX_FAILED_ATTEMPTS = 5


class LockedError(ServiceError):
    status = 423


class WrongPassphraseServiceError(UnprocessableError):
    """The passphrase does not open the signer's key."""


class UploadedKeyError(UnprocessableError):
    """A signer's own ``.p12`` cannot be used (reasons in the detail)."""


def seal_document(session: Session, services: Services, document: Document) -> None:
    """Certify revision 0 with the instance seal; the document then awaits its first signer."""
    from signing import seal

    unsigned = read_revision(session, services.store, document, 0)
    sealed = seal(
        unsigned,
        signer=services.seal_signer(),
        timestamper=services.timestamper(),
        trust=services.trust(),
        location=json.loads(document.payload_json).get("tempat"),
    )

    def ready(_revision: object) -> None:
        document.status = "awaiting_signature"
        audit.record(session, event="sealed", actor="system", document_id=document.id, data={"revision": 1})
        if document.signers:
            make_pending(session, services, document, document.signers[0])
        enqueue(session, document, "document.ready", config=services.config)

    commit_revision(
        session, services.store, document, data=sealed, kind="seal", based_on=0, before_commit=ready
    )


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
    issue_link(signer, ttl=timedelta(days=services.config["SIGN_LINK_TTL_DAYS"]))
    audit.record(
        session,
        event="link_issued",
        actor="system",
        document_id=document.id,
        data={"urutan": signer.urutan, "peran": signer.peran, "expires_at": signer.link_expires_at},
    )


def _uploaded_key(services: Services, signer: Signer, p12: bytes, passphrase: str) -> SignerKey:
    """Check a signer's own ``.p12`` before it is kept: key matches, valid now, chain trusted."""
    from signing import inspect_p12
    from signing.errors import KeyFileError

    try:
        found = inspect_p12(p12, passphrase.encode(), trust=services.trust())
    except KeyFileError as error:
        raise WrongPassphraseServiceError(f"Berkas .p12 tidak dapat dibuka: {error.message}") from None
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
    from cryptography.hazmat.primitives.serialization import pkcs12

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
    from signing import Pkcs12Signer, new_signer
    from signing.errors import KeyFileError

    row = session.scalar(select(SignerKey).where(SignerKey.nip == signer.nip))
    pki = services.pki()
    if row is None and uploaded_p12 is not None:
        row = _uploaded_key(services, signer, uploaded_p12, passphrase)
        session.add(row)
        return Pkcs12Signer.load(row.p12, passphrase.encode(), chain=pki.chain)
    if row is None:
        payload = json.loads(document.payload_json)
        p12, loaded = new_signer(
            pki,
            nama=signer.nama,
            nip=signer.nip,
            jabatan=signer.jabatan,
            instansi=payload.get("instansi") or pki.organisation,
            passphrase=passphrase.encode(),
        )
        session.add(
            SignerKey(
                nip=signer.nip,
                p12=p12,
                source="issued",
                certificate_pem=loaded.certificate.public_bytes(Encoding.PEM).decode(),
            )
        )
        return loaded
    try:
        return Pkcs12Signer.load(row.p12, passphrase.encode(), chain=pki.chain)
    except KeyFileError as error:
        raise WrongPassphraseServiceError(error.message) from None


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
    """
    from signing import StampInfo, add_document_timestamp, approve

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
    except WrongPassphraseServiceError:
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
        raise
    current = read_revision(session, services.store, document, based_on)
    # Shown on the stamp in the agency's zone (WIB/WITA/WIT); stored times stay UTC.
    now = datetime.now(ZoneInfo(services.config["TIMEZONE"]))
    signed = approve(
        current,
        field_name=signer.field_name,
        signer=key,
        timestamper=services.timestamper(),
        trust=services.trust(),
        stamp=StampInfo(
            nama=signer.nama,
            nip=signer.nip,
            peran_label=peran_label(signer),
            waktu=now,
            verify_url=f"{services.config['PUBLIC_URL'].rstrip('/')}/v/{document.verification_code}",
        ),
    )
    last = signer is document.signers[-1]
    if last:
        signed = add_document_timestamp(signed, timestamper=services.timestamper(), trust=services.trust())

    def advance(_revision: object) -> None:
        signer.status = "signed"
        signer.signed_at = utcnow()
        signer.link_used_at = signer.link_used_at or utcnow()
        following = [s for s in document.signers if s.urutan > urutan]
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
            data={"urutan": urutan, "peran": signer.peran, "nip": signer.nip, "revision": based_on + 1},
        )
        enqueue(session, document, "document.signed", config=services.config)
        if last:
            audit.record(session, event="completed", actor="system", document_id=document.id)
            enqueue(session, document, "document.completed", config=services.config)

    try:
        commit_revision(
            session,
            services.store,
            document,
            data=signed,
            kind="signature",
            based_on=based_on,
            require_status="awaiting_signature",
            before_commit=advance,
        )
    except IntegrityError:
        # A concurrent first use created the same signer's key; that attempt won.
        session.rollback()
        raise ConflictError("Dokumen sedang ditandatangani oleh permintaan lain.") from None
    if last:
        services.runner.submit("history", document.id)
    return signer
