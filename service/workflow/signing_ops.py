"""Sealing and approval signatures on stored documents: the service side of :mod:`signing`.

Every signature follows :mod:`service.workflow.revisions`: new bytes → new file → one guarded
update, committed by the operation together with the status change and the audit event.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from service import audit, throttle
from service.errors import (
    ConflictError,
    LockedError,
    ProviderFailedError,
    ProviderUnavailableServiceError,
    UnprocessableError,
)
from service.interfaces import DocumentSigner
from service.models import Document, Signer, SignerKey, utcnow
from service.scoring.vocabulary import PERAN_LABEL
from service.services import Services
from service.settings import Settings
from service.workflow.enrollment import active_key, redeem
from service.workflow.links import MAX_FAILED_ATTEMPTS, issue_link
from service.workflow.mail import queue_completed, queue_turn
from service.workflow.providers import FIELD_MAKING_PROVIDERS, Penyedia, signer_penyedia
from service.workflow.revisions import add_revision, read_revision
from service.workflow.stored import nomor_label, payload_of
from service.workflow.webhooks import enqueue, signer_actor
from signing import P12Inspection, Pkcs12Signer, StampInfo, add_document_timestamp, approve, inspect_p12, seal
from signing.bsre import BsreAppearance
from signing.csc import CscDocumentSigner
from signing.errors import (
    BsreError,
    BsreUserError,
    CscError,
    KeyFileError,
    ProviderUnavailableError,
    RemoteSignatureRejectedError,
    WrongPassphraseError,
)
from signing.pdf import ROLE_MARKER
from signing.remote import accept_remote_signature, add_validation_data
from signing.signers import subject_id_digits
from signing.stamp_image import stamp_png

__all__ = [
    "MAX_FAILED_ATTEMPTS",
    "ProviderRefusedError",
    "ProviderStatus",
    "Secret",
    "UploadedKeyError",
    "WrongPassphraseServiceError",
    "certifies",
    "has_key",
    "make_pending",
    "open_key",
    "peran_label",
    "provider_status",
    "request_totp",
    "seal_document",
    "sign_document",
    "sign_limit",
]

log = logging.getLogger(__name__)



class WrongPassphraseServiceError(UnprocessableError):
    """The passphrase does not open the signer's key, or the enrollment code is wrong (``code``);
    says how many attempts are left.
    """

    slug = "wrong-passphrase"

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

    slug = "uploaded-key-refused"


class ProviderRefusedError(UnprocessableError):
    """The official cannot sign through their provider now (BSrE: not registered, no or an expired
    certificate; CSC: a certificate not theirs, untrusted or revoked), or left its secret empty.
    Nothing was attempted; the page says why.
    """

    slug = "provider-refused"


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
        certify=certifies(document),
    )
    add_revision(session, services.store, document, data=sealed, kind="seal", based_on=0)
    document.status = "awaiting_signature"
    audit.record(session, event="sealed", actor="system", document_id=document.id, data={"revision": 1})
    if document.signers:
        make_pending(session, services, document, document.signers[0])
    enqueue(session, services, document, "document.ready")


def certifies(document: Document) -> bool:
    """Whether the seal certifies (DocMDP): not when a signer's provider creates its own visible
    field (BSrE), which pyHanko refuses after a certification signature.
    """
    return not any(s.penyedia in FIELD_MAKING_PROVIDERS for s in document.signers)


def peran_label(signer: Signer) -> str:
    """The role as printed on the stamp; a Plt/Plh signs "Plt. <role>"."""
    label = PERAN_LABEL[signer.peran]
    if signer.delegate_json:
        jenis = json.loads(signer.delegate_json)["jenis"]
        label = f"{jenis.capitalize()}. {label}"
    return label


def make_pending(session: Session, services: Services, document: Document, signer: Signer) -> None:
    """It is ``signer``'s turn: issue the link, record it, and queue the e-mail that tells them."""
    signer.status = "pending"
    issue_link(signer, ttl=services.settings.sign_link_ttl, now=services.clock.now())
    audit.record(
        session,
        event="link_issued",
        actor="system",
        document_id=document.id,
        data={"urutan": signer.urutan, "peran": signer.peran, "expires_at": signer.link_expires_at},
    )
    queue_turn(session, services, document, signer)


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


@dataclass(frozen=True, repr=False)
class Secret:
    """What the official typed to sign; used for this one signature and never stored or logged."""

    passphrase: str = ""
    pin: str = ""
    otp: str = ""
    totp: str = ""


@dataclass(frozen=True)
class _Key:
    """The key a signature uses, the certificate a re-enrollment replaced (revoked after commit), and
    the validation context the key's certificate was checked in (the signature reuses what it fetched).
    """

    signer: DocumentSigner
    replaced: SignerKey | None = None
    context: ValidationContext | None = None


def _signer_key(
    session: Session,
    services: Services,
    document: Document,
    signer: Signer,
    secret: Secret,
    *,
    penyedia: Penyedia,
    uploaded_p12: bytes | None = None,
    kode: str = "",
    reenroll: bool = False,
) -> _Key:
    """The key to sign with: a CSC credential unlocked by PIN/OTP, or the official's PKCS#12 opened
    with the passphrase; to enroll (no key yet, or ``reenroll``), redeem the code first, then issue a
    key or take their ``.p12``.
    """
    if penyedia.kind == "csc":
        context = services.trust().signing_context()
        return _Key(_csc_key(services, signer, penyedia, secret, context), context=context)
    passphrase = secret.passphrase
    row = active_key(session, document, signer.nip)
    if row is not None and not reenroll:
        try:
            # The chain inside the archive is the key's own CA (the instance's, or the one that
            # issued an uploaded file), so nothing here assumes the development CA.
            return _Key(Pkcs12Signer.load(row.p12, passphrase.encode()))
        except KeyFileError as error:
            raise _KeyDidNotOpenError(error.message) from None
    if penyedia.kind == "p12" and uploaded_p12 is None:
        raise UploadedKeyError("Penanda tangan ini memakai sertifikatnya sendiri: unggah berkas .p12 Anda.")
    # An uploaded file is checked before the code is used up: a wrong file must not cost the code.
    uploaded = (
        None if uploaded_p12 is None else _uploaded_key(services, document, signer, uploaded_p12, passphrase)
    )
    code = redeem(session, services, signer, kode)
    if code is None:
        raise _KeyDidNotOpenError("Kode verifikasi salah atau sudah tidak berlaku.", code=True)
    if uploaded is not None:
        new = uploaded
        key: DocumentSigner = Pkcs12Signer.load(new.p12, passphrase.encode())
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


def _stamp(services: Services, document: Document, signer: Signer) -> StampInfo:
    return StampInfo(
        nama=signer.nama,
        nip=signer.nip,
        nomor=nomor_label(document, signer),
        peran_label=peran_label(signer),
        # Shown on the stamp in the agency's zone (WIB/WITA/WIT); stored times stay UTC.
        waktu=services.clock.now().astimezone(services.settings.timezone),
        verify_url=services.urls.verify(document.verification_code),
        catatan=_menggantikan(signer),
    )


def _menggantikan(signer: Signer) -> str | None:
    """A Plt/Plh's stamp names whom they replaced: the form may print that official below it."""
    if not signer.delegate_json:
        return None
    semula = json.loads(signer.delegate_json).get("semula") or {}
    return f"menggantikan {semula.get('nama', '-')}"


def _certificate_problem(
    services: Services,
    signer: Signer,
    penyedia: Penyedia,
    key: CscDocumentSigner,
    context: ValidationContext,
) -> str | None:
    """Why a provider's certificate may not sign for this official: not theirs, or not trusted now
    (chain, validity, revocation fetched from its CA).
    """
    found = subject_id_digits(key.certificate)
    ids = penyedia.lookup_ids(signer.nip)
    if found not in ids:
        named = f"atas nomor {found}" if found else "tanpa NIP atau NIK pada subjeknya"
        return f"sertifikat {named}, bukan " + " atau ".join(ids)
    return services.trust().check_certificate(key.certificate, extra_certs=key.chain, context=context)


@dataclass(frozen=True)
class ProviderStatus:
    """What the signing page says about the official's provider before they type anything."""

    #: False: signing is not offered (the provider says they cannot sign now).
    can_sign: bool
    #: A sentence for the official, when there is something to say.
    message: str | None = None


def provider_status(services: Services, signer: Signer) -> ProviderStatus | None:
    """BSrE's word on the official's certificate (api.md: shown before a passphrase is typed);
    ``None`` for providers that have nothing to ask beforehand.
    """
    penyedia = signer_penyedia(signer)
    if penyedia.kind != "bsre" or penyedia.nik is None:
        return None
    try:
        status = services.bsre().user_status(penyedia.nik)
    except ProviderUnavailableError:
        return ProviderStatus(
            can_sign=True,
            message="Status sertifikat BSrE Anda belum dapat diperiksa karena layanan BSrE tidak menjawab; "
            "Anda tetap dapat mencoba menandatangani.",
        )
    except BsreError as error:
        return ProviderStatus(can_sign=False, message=str(error))
    return ProviderStatus(can_sign=status.can_sign, message=None if status.can_sign else status.pesan)


def request_totp(services: Services, signer: Signer) -> None:
    """Ask BSrE to send a TOTP for one signature to the official's BeSign Mobile app.

    :raises ProviderUnavailableServiceError: BSrE did not answer.
    :raises ProviderRefusedError: the official has no BSrE signer, or BSrE refused.
    """
    penyedia = signer_penyedia(signer)
    if penyedia.kind != "bsre" or penyedia.nik is None:
        raise ProviderRefusedError("TOTP hanya untuk penanda tangan melalui BSrE.")
    try:
        services.bsre().request_totp(penyedia.nik, 1)
    except ProviderUnavailableError as error:
        raise ProviderUnavailableServiceError(str(error), penyedia="bsre") from None
    except BsreError as error:
        raise ProviderRefusedError(str(error), penyedia="bsre") from None


def _csc_key(
    services: Services, signer: Signer, penyedia: Penyedia, secret: Secret, context: ValidationContext
) -> CscDocumentSigner:
    """The official's CSC credential, checked in ``context`` before anything is signed with it."""
    if not secret.pin and not secret.otp:
        raise ProviderRefusedError("PIN atau OTP penyedia tanda tangan wajib diisi.", penyedia="csc")
    key = services.csc_signer(
        credential_id=penyedia.credential_id,
        lookup_ids=penyedia.lookup_ids(signer.nip),
        pin=secret.pin or None,
        otp=secret.otp or None,
    )
    problem = _certificate_problem(services, signer, penyedia, key, context)
    if problem is not None:
        raise ProviderRefusedError(
            f"Sertifikat Anda pada penyedia CSC tidak dapat dipakai: {problem}.", penyedia="csc"
        )
    return key


def _sign_through_bsre(
    services: Services,
    signer: Signer,
    current: bytes,
    stamp: StampInfo,
    *,
    penyedia: Penyedia,
    secret: Secret,
) -> bytes:
    """BSrE signs the revision (its stamp where the form's signature block is); the service keeps
    the result only if it is exactly one more signature, by this official, on exactly what was sent,
    then adds the revocation data BSrE leaves out (its output is B-T).
    """
    if not secret.passphrase and not secret.totp:
        raise ProviderRefusedError("Passphrase BSrE atau TOTP wajib diisi.", penyedia="bsre")
    assert penyedia.nik is not None  # noqa: S101  (create_document refuses bsre without a NIK)
    client = services.bsre()
    status = client.user_status(penyedia.nik)
    if not status.can_sign:
        raise BsreUserError(status.status, status.pesan, status_code=status.status_code)
    if signer.kotak_json is None:
        raise ProviderRefusedError("Tempat tanda tangan pada dokumen ini tidak diketahui.", penyedia="bsre")
    page, x1, y1, x2, y2 = json.loads(signer.kotak_json)
    appearance = BsreAppearance(
        page=page + 1,
        x=x1,
        y=y1,
        width=x2 - x1,
        height=y2 - y1,
        image_png=stamp_png(stamp, width_pt=x2 - x1, height_pt=y2 - y1, penyedia="BSrE"),
        reason=f"Menyetujui dokumen{ROLE_MARKER}{stamp.peran_label}",
        location=None,
    )
    (returned,) = client.sign(
        [current],
        nik=penyedia.nik,
        passphrase=secret.passphrase or None,
        totp=secret.totp or None,
        appearances=[appearance],
    )
    trust = services.trust()
    # One context for the check and the DSS: the OCSP responses and CRLs it fetched are embedded.
    context = trust.signing_context()
    ids = penyedia.lookup_ids(signer.nip)
    accept_remote_signature(current, returned, trust=trust, signer_ids=ids, vc=context)
    return add_validation_data(returned, vc=context)


def _wrong_secret(penyedia: Penyedia, error: WrongPassphraseError) -> str:
    """What the page says for a wrong secret of this provider."""
    if penyedia.kind == "bsre":
        return "Passphrase atau TOTP BSrE salah."
    if penyedia.kind == "csc":
        return error.message
    return "Frasa sandi salah."


def _record_provider_failure(
    services: Services,
    document: Document,
    signer: Signer,
    penyedia: Penyedia,
    error: Exception,
    *,
    actor: str,
    ip: str | None,
    started: float,
) -> None:
    """Every attempt a provider could not carry out is on record (what, how long), never a secret."""
    data: dict[str, Any] = {
        "urutan": signer.urutan,
        "penyedia": penyedia.kind,
        "error": type(error).__name__,
        "duration_ms": round((time.monotonic() - started) * 1000),
    }
    if isinstance(error, ProviderUnavailableError):
        data["dispatched"] = error.dispatched
    if isinstance(error, RemoteSignatureRejectedError):
        data["reason"] = error.reason
    if isinstance(error, BsreUserError):
        data["status"] = error.status
    with services.sessions() as session:
        audit.record(
            session, event="provider_sign_failed", actor=actor, document_id=document.id, ip=ip, data=data
        )
        session.commit()


def _signature(
    session: Session,
    services: Services,
    document: Document,
    signer: Signer,
    secret: Secret,
    *,
    penyedia: Penyedia,
    uploaded_p12: bytes | None,
    kode: str,
    reenroll: bool,
    opened: DocumentSigner | None = None,
) -> tuple[bytes, SignerKey | None]:
    """The current revision with this signer's approval signature, made as their provider signs,
    and the key a re-enrollment replaced. ``opened``: the official's PKCS#12 key, already opened
    (a batch pays the passphrase KDF once, :func:`open_key`).
    """
    current = read_revision(session, services.store, document, document.current_revision)
    stamp = _stamp(services, document, signer)
    if penyedia.kind == "bsre":
        return _sign_through_bsre(services, signer, current, stamp, penyedia=penyedia, secret=secret), None
    chosen = (
        _Key(_still_active(session, document, signer, opened))
        if opened is not None and penyedia.kind in _OPENABLE
        else _signer_key(
            session,
            services,
            document,
            signer,
            secret,
            penyedia=penyedia,
            uploaded_p12=uploaded_p12,
            kode=kode,
            reenroll=reenroll,
        )
    )
    signed = approve(
        current,
        field_name=signer.field_name,
        signer=chosen.signer,
        timestamper=services.timestamper(),
        trust=services.trust(),
        stamp=stamp,
        validation_context=chosen.context,
    )
    return signed, chosen.replaced


def _count_failure(
    session: Session,
    services: Services,
    document: Document,
    signer: Signer,
    penyedia: Penyedia,
    *,
    limit: throttle.AddressLimit,
    actor: str,
    ip: str | None,
    now: datetime,
) -> int:
    """Count a wrong passphrase, PIN, OTP or code toward the link's lock and the address limit;
    committed, and the count after it.
    """
    # No rollback first: this transaction still holds the signer's row (``_lock_attempts``), so
    # no other attempt is checked until this one is counted.
    failed: int = session.execute(
        update(Signer)
        .where(Signer.id == signer.id)
        .values(failed_attempts=Signer.failed_attempts + 1)
        .returning(Signer.failed_attempts)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(signer, "failed_attempts", failed)
    if failed >= MAX_FAILED_ATTEMPTS:
        # The link is locked now: a change of the document for "changed since" (its row is held).
        moment = utcnow()
        session.execute(
            update(Document)
            .where(Document.id == document.id)
            .values(updated_at=moment)
            .execution_options(synchronize_session=False)
        )
        set_committed_value(document, "updated_at", moment)
        enqueue(session, services, document, "signer.locked", signer=signer)
    throttle.hit(session, limit, ip, now=now)
    audit.record(
        session,
        event="sign_failed",
        actor=actor,
        document_id=document.id,
        ip=ip,
        data={"urutan": signer.urutan, "failed_attempts": failed, "penyedia": penyedia.kind},
    )
    session.commit()
    return failed


def _provider_error(error: Exception, penyedia: Penyedia) -> Exception:
    """The service error for a provider that could not sign: 503 (try again), 502 (its result was
    refused) or 422 (the official cannot sign there now: not registered, no certificate, ...).
    """
    message = str(error)
    if isinstance(error, ProviderUnavailableError):
        return ProviderUnavailableServiceError(message, penyedia=penyedia.kind)
    if isinstance(error, RemoteSignatureRejectedError):
        return ProviderFailedError(message, penyedia=penyedia.kind, reason=error.reason)
    return ProviderRefusedError(message, penyedia=penyedia.kind)


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


#: Providers whose key is the official's PKCS#12 kept here: it can be opened once for many documents.
_OPENABLE = frozenset({"instansi", "p12"})


def _still_active(
    session: Session, document: Document, signer: Signer, opened: DocumentSigner
) -> DocumentSigner:
    """``opened`` if it is still the official's active key in the document's instansi (a
    re-enrollment since it was opened retired it: then it signs nothing more).
    """
    row = active_key(session, document, signer.nip)
    if row is None or (
        row.certificate_pem and _serial(row.certificate_pem) != opened.certificate.serial_number
    ):
        raise ConflictError("Kunci tanda tangan Anda telah diganti sejak dibuka; tandatangani lagi.")
    return opened


@contextmanager
def _counted(
    session: Session,
    services: Services,
    document: Document,
    signer: Signer,
    penyedia: Penyedia,
    *,
    limit: throttle.AddressLimit,
    actor: str,
    ip: str | None,
    now: datetime,
) -> Iterator[None]:
    """Run a key's use under the guard :func:`_lock_attempts` took: a wrong secret is counted
    (committed) and raised as :class:`WrongPassphraseServiceError`, a provider's failure is recorded;
    anything else refused rolls back.
    """
    started = time.monotonic()
    try:
        yield
    except (UploadedKeyError, ConflictError, UnprocessableError):
        session.rollback()
        raise
    except (_KeyDidNotOpenError, WrongPassphraseError) as error:
        failed = _count_failure(
            session, services, document, signer, penyedia, limit=limit, actor=actor, ip=ip, now=now
        )
        detail = error.detail if isinstance(error, _KeyDidNotOpenError) else _wrong_secret(penyedia, error)
        raise WrongPassphraseServiceError(
            detail,
            attempts_left=MAX_FAILED_ATTEMPTS - failed,
            code=isinstance(error, _KeyDidNotOpenError) and error.code,
        ) from None
    except (ProviderUnavailableError, RemoteSignatureRejectedError, BsreUserError, CscError) as error:
        # Nothing of the document changes: the lock is released, the attempt is on record.
        session.rollback()
        _record_provider_failure(
            services, document, signer, penyedia, error, actor=actor, ip=ip, started=started
        )
        raise _provider_error(error, penyedia) from None


def _guarded(
    session: Session, services: Services, document: Document, urutan: int, ip: str | None
) -> tuple[Signer, datetime, throttle.AddressLimit]:
    """The checks before a key is used for signer ``urutan``: turn and status, the address limit,
    then the rows held and a locked link refused (:func:`_lock_attempts`).
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
    return signer, now, limit


def open_key(
    session: Session,
    services: Services,
    document: Document,
    *,
    urutan: int,
    passphrase: str,
    actor: str,
    ip: str | None,
) -> DocumentSigner:
    """Open signer ``urutan``'s PKCS#12 key once, under that document's guard, to sign several
    documents with it (:func:`sign_document` ``opened=``); nothing is signed here.

    A wrong passphrase counts once, against this document, exactly as :func:`sign_document` counts it.

    :raises UnprocessableError: the official has no key here yet (they enroll through one link first),
        or their provider holds the key itself.
    :raises WrongPassphraseServiceError: the passphrase does not open the key (counted; locks at 5).
    :raises LockedError: the link is locked after too many wrong passphrases.
    :raises ConflictError: out of turn, or the document no longer awaits signatures.
    """
    signer, now, limit = _guarded(session, services, document, urutan, ip)
    penyedia = signer_penyedia(signer)
    if penyedia.kind not in _OPENABLE:
        session.rollback()
        raise UnprocessableError("Kunci penyedia ini tidak dibuka di layanan ini.")
    row = active_key(session, document, signer.nip)
    if row is None:
        session.rollback()
        raise UnprocessableError(
            "Anda belum memiliki kunci tanda tangan di instansi ini: tandatangani satu dokumen melalui "
            "tautannya lebih dulu."
        )
    with _counted(session, services, document, signer, penyedia, limit=limit, actor=actor, ip=ip, now=now):
        key = _signer_key(
            session, services, document, signer, Secret(passphrase=passphrase), penyedia=penyedia
        )
    # Nothing to keep: the guard's rows are released for the signatures that follow.
    session.rollback()
    return key.signer


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
    pin: str = "",
    otp: str = "",
    totp: str = "",
    opened: DocumentSigner | None = None,
) -> Signer:
    """Add signer ``urutan``'s approval signature; the last one also gets the LTA timestamp.

    The signer's provider (:mod:`service.workflow.providers`) decides how: with their key from the
    instance CA or their own ``.p12`` (``passphrase``), through a CSC service (``pin`` or ``otp``),
    or through BSrE (``passphrase`` or ``totp``; BSrE signs the revision, the service checks what
    comes back and adds the revocation data). An official without a key in the document's instansi
    (or who asks to ``reenroll``) enrolls one first, proven by ``kode``
    (:mod:`service.workflow.enrollment`); a wrong code counts like a wrong passphrase, and so does a
    wrong PIN, OTP or BSrE passphrase. ``opened``: the official's key from :func:`open_key` (a
    batch), used instead of opening it again for an ``instansi`` or ``p12`` signer.

    :raises ConflictError: out of turn, document not awaiting signatures, or lost a race.
    :raises WrongPassphraseServiceError: the passphrase does not open the key (counted; locks at 5).
    :raises LockedError: the link is locked after too many wrong passphrases.
    :raises TooManyAttemptsError: the address has made too many wrong attempts (429, on any link).
    :raises ProviderUnavailableServiceError: the provider did not answer in time (503); nothing changed.
    :raises ProviderFailedError: the provider's result was refused (502); nothing changed.
    """
    signer, now, limit = _guarded(session, services, document, urutan, ip)
    based_on = document.current_revision
    penyedia = signer_penyedia(signer)
    secret = Secret(passphrase=passphrase, pin=pin, otp=otp, totp=totp)
    with _counted(session, services, document, signer, penyedia, limit=limit, actor=actor, ip=ip, now=now):
        signed, replaced = _signature(
            session,
            services,
            document,
            signer,
            secret,
            penyedia=penyedia,
            uploaded_p12=uploaded_p12,
            kode=kode,
            reenroll=reenroll,
            opened=opened,
        )
    timestamper, trust = services.timestamper(), services.trust()
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
    if replaced is not None:
        _revoke_replaced(services, replaced, document=document, actor=actor)
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
    enqueue(session, services, document, "document.signed", actor=signer_actor(signer), signer=signer)
    if not following:
        audit.record(session, event="completed", actor="system", document_id=document.id)
        enqueue(session, services, document, "document.completed")
        queue_completed(session, services, document)
