"""What an official does through a signing link: open it, read the PDF, sign or refuse.

Each function checks in stages (style convention 5): the token (404 unknown, 410 used, expired or
revoked), then the document's state and whose turn it is (409), then the decision. The signing
page and any other client of these use cases call the same functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit
from service.errors import (
    ConflictError,
    ProviderFailedError,
    ProviderUnavailableServiceError,
    ServiceError,
    UnprocessableError,
)
from service.jsonio import parse_json
from service.models import AuditEvent, Document, Signer, as_utc
from service.schemas.requests import (
    BsreDecisionSchema,
    CscDecisionSchema,
    DecisionSchema,
    FirstUseDecisionSchema,
    P12FirstUseDecisionSchema,
)
from service.scoring.vocabulary import FINAL_STATUSES
from service.services import Services
from service.workflow import page_images
from service.workflow.enrollment import Channel, channel_for, mask_email, send_code
from service.workflow.links import LinkGoneError, resolve_signed, resolve_token
from service.workflow.operations import StoredFile, reject_document
from service.workflow.providers import signer_penyedia
from service.workflow.revisions import read_revision
from service.workflow.signing_ops import (
    MAX_FAILED_ATTEMPTS,
    ProviderRefusedError,
    ProviderStatus,
    WrongPassphraseServiceError,
    has_key,
    provider_status,
    request_totp,
    sign_document,
)
from service.workflow.stored import payload_of

__all__ = [
    "SIGNED_COPY_TTL",
    "Decided",
    "DecisionFormError",
    "OpenLink",
    "decide_by_link",
    "link_page",
    "link_pdf",
    "open_link",
    "signed_copy",
    "signed_revision",
]

#: How long after signing the official's own link still downloads the revision they signed (the
#: "done" page offers it): long enough to save it, short enough that a forwarded link soon stops.
SIGNED_COPY_TTL = timedelta(minutes=30)

FINAL_DETAIL = {
    "cancelled": "Dokumen ini telah dibatalkan; tautan tidak berlaku lagi.",
    "rejected": "Dokumen ini telah ditolak oleh salah satu penanda tangan; tautan tidak berlaku lagi.",
    "completed": "Dokumen ini sudah selesai ditandatangani; tautan tidak berlaku lagi.",
    "failed": "Dokumen ini gagal diproses; tautan tidak berlaku lagi.",
}

#: The decision form by (provider, enrolls a key now).
_schemas: Mapping[tuple[str, bool], DecisionSchema] = {
    ("instansi", False): DecisionSchema(),
    ("instansi", True): FirstUseDecisionSchema(),
    ("p12", False): DecisionSchema(),
    ("p12", True): P12FirstUseDecisionSchema(),
    ("bsre", False): BsreDecisionSchema(),
    ("csc", False): CscDecisionSchema(),
}
#: Providers that hold the key themselves: nothing to enroll here.
_REMOTE = frozenset({"bsre", "csc"})


@dataclass(frozen=True)
class OpenLink:
    """A link that may be used now: whose it is, for which document, and what the page shows."""

    signer: Signer
    document: Document
    payload: Mapping[str, Any]
    #: The decision enrolls a key (chosen passphrase or own ``.p12``): the official has none in this
    #: instansi yet, or asked to enroll again (``reenroll``).
    first_use: bool
    reenroll: bool = False
    #: Where the ``kode_verifikasi`` comes from, when ``first_use``.
    channel: Channel | None = None
    #: Who holds the official's key (``instansi``, ``p12``, ``bsre``, ``csc``).
    penyedia: str = "instansi"
    #: The provider's word on the official before they type anything (BSrE's user status).
    status: ProviderStatus | None = None
    #: Too many wrong passphrases: the page says so and offers no sign form (until reissued).
    locked: bool = False
    #: Pages of the current revision, each shown as an image (``link_page``).
    pages: int = 0


@dataclass(frozen=True)
class Decided:
    """The outcome of a decision: the document after it, and whether it was a refusal."""

    signer: Signer
    document: Document
    rejected: bool


class DecisionFormError(UnprocessableError):
    """The decision form cannot be carried out as filled in, or the provider could not sign now;
    the page shows it again with why (422, or the provider's 502/503: the link stays usable).
    """

    slug = "decision-form"

    def __init__(self, link: OpenLink, detail: str, *, status: int = 422) -> None:
        super().__init__(detail)
        self.link = link
        self.status = status


def _usable(session: Session, services: Services, token: str) -> tuple[Signer, Document]:
    signer = resolve_token(session, token, secret=services.settings.secret_key, now=services.clock.now())
    document = signer.document
    if document.status in FINAL_STATUSES:
        # Cancelled, rejected, failed or completed: every link of the document is dead (410),
        # even one handed out for a later turn; 409 is for a turn that may still come.
        raise LinkGoneError(FINAL_DETAIL.get(document.status, "Tautan ini tidak berlaku lagi."))
    if document.status != "awaiting_signature" or signer.status != "pending":
        raise ConflictError("Dokumen ini belum menunggu tanda tangan Anda.")
    return signer, document


def _view(
    session: Session,
    services: Services,
    signer: Signer,
    document: Document,
    *,
    reenroll: bool = False,
    ask_provider: bool = True,
) -> OpenLink:
    penyedia = signer_penyedia(signer).kind
    locked = signer.failed_attempts >= MAX_FAILED_ATTEMPTS
    pages = page_images.page_count(session, services.store, document, document.current_revision)
    if penyedia in _REMOTE:
        return OpenLink(
            signer=signer,
            document=document,
            payload=payload_of(document),
            first_use=False,
            penyedia=penyedia,
            status=provider_status(services, signer) if ask_provider and not locked else None,
            locked=locked,
            pages=pages,
        )
    has = has_key(session, document, signer.nip)
    enrolls = reenroll or not has
    return OpenLink(
        signer=signer,
        document=document,
        payload=payload_of(document),
        first_use=enrolls,
        reenroll=enrolls and has,
        channel=channel_for(session, document, signer) if enrolls else None,
        penyedia=penyedia,
        locked=locked,
        pages=pages,
    )


def open_link(
    session: Session, services: Services, token: str, *, ip: str | None, reenroll: bool = False
) -> OpenLink:
    """The official opens the link: checked, recorded (``link_opened``), and what to show. To enroll
    (first use, or ``reenroll``), a code goes to the official's e-mail unless one is live already.
    """
    signer, document = _usable(session, services, token)
    audit.record(
        session,
        event="link_opened",
        actor=f"nip:{signer.nip}",
        document_id=document.id,
        ip=ip,
        data={"urutan": signer.urutan},
    )
    view = _view(session, services, signer, document, reenroll=reenroll)
    if view.first_use and not view.locked:
        send_code(session, services, document, signer, ip=ip, again=False)
    session.commit()
    return view


def link_pdf(session: Session, services: Services, token: str) -> StoredFile:
    """The newest revision, to the holder of a usable link only."""
    _signer, document = _usable(session, services, token)
    data = read_revision(session, services.store, document, document.current_revision)
    return StoredFile(data=data, filename=f"{document.id}.pdf", mimetype="application/pdf")


def link_page(session: Session, services: Services, token: str, page: int, width: int) -> bytes:
    """Page ``page`` of the newest revision as a PNG, to the holder of a usable link only."""
    _signer, document = _usable(session, services, token)
    return page_images.page_image(
        session, services.store, document, document.current_revision, page=page, width=width
    )


def signed_revision(session: Session, document: Document, signer: Signer) -> int | None:
    """The revision ``signer``'s signature made (from its ``signed`` audit event), if any."""
    rows = session.scalars(
        select(AuditEvent).where(AuditEvent.document_id == document.id, AuditEvent.event == "signed")
    )
    for row in rows:
        data = parse_json(row.data_json.encode())
        if isinstance(data, dict) and data.get("urutan") == signer.urutan and "revision" in data:
            return int(data["revision"])
    return None


def signed_copy(session: Session, services: Services, token: str, *, ip: str | None) -> StoredFile:
    """The revision the official signed, through their own (now used) link, for
    :data:`SIGNED_COPY_TTL` after signing; 410 after that, 404 for a link that did not sign.
    Audited as ``downloaded`` by the official.
    """
    now = services.clock.now()
    signer = resolve_signed(session, token, secret=services.settings.secret_key)
    used = signer.link_used_at
    if used is None or as_utc(used) + SIGNED_COPY_TTL <= now:
        raise LinkGoneError(
            "Salinan dokumen yang Anda tandatangani tidak dapat diunduh lagi lewat tautan ini."
        )
    document = signer.document
    number = signed_revision(session, document, signer)
    if number is None:
        raise LinkGoneError("Salinan dokumen yang Anda tandatangani tidak ditemukan.")
    data = read_revision(session, services.store, document, number)
    audit.record(
        session,
        event="downloaded",
        actor=f"nip:{signer.nip}",
        document_id=document.id,
        ip=ip,
        data={"revision": number, "format": "pdf", "urutan": signer.urutan},
    )
    session.commit()
    return StoredFile(data=data, filename=f"{document.id}-revisi-{number}.pdf", mimetype="application/pdf")


def decide_by_link(
    session: Session, services: Services, token: str, form: Mapping[str, Any], *, ip: str | None
) -> Decided:
    """Sign or refuse as the form says.

    :param form: the page's fields, with ``p12`` the uploaded bytes (or absent).
    :raises DecisionFormError: a form rule is broken or the passphrase is wrong (with attempts left).
    """
    signer, document = _usable(session, services, token)
    actor = f"nip:{signer.nip}"
    reenroll = form.get("daftar_ulang") == "1"
    view = _view(session, services, signer, document, reenroll=reenroll, ask_provider=False)
    try:
        decision = _schemas[view.penyedia, view.first_use].load(form)
    except ValidationError as error:
        raise DecisionFormError(_asked(services, view), _first_message(error)) from None
    if decision["keputusan"] == "kirim_kode":
        send_code(session, services, document, signer, ip=ip, again=True)
        session.commit()
        raise DecisionFormError(view, _code_sent(view))
    if decision["keputusan"] == "kirim_totp":
        try:
            request_totp(services, signer)
        except ServiceError as error:
            raise DecisionFormError(_asked(services, view), error.detail, status=error.status) from None
        raise DecisionFormError(
            _asked(services, view), "TOTP telah dikirim ke aplikasi BeSign Mobile Anda; ketikkan di bawah."
        )
    if decision["keputusan"] == "tolak":
        reject_document(
            session, services, document, signer, alasan=decision["alasan"].strip(), actor=actor, ip=ip
        )
        return Decided(signer=signer, document=document, rejected=True)
    try:
        sign_document(
            session,
            services,
            document,
            urutan=signer.urutan,
            passphrase=decision["passphrase"],
            actor=actor,
            ip=ip,
            uploaded_p12=decision["p12"],
            kode=decision["kode_verifikasi"],
            reenroll=view.reenroll,
            pin=decision["pin"],
            otp=decision["otp"].strip(),
            totp=decision["totp"].strip(),
        )
    except WrongPassphraseServiceError as error:
        left = error.attempts_left
        lead = error.detail if error.code or view.penyedia in _REMOTE else "Frasa sandi salah."
        message = (
            f"{lead} Tautan terkunci bila salah {left} kali lagi."
            if left > 0
            else f"{lead} Tautan kini terkunci; minta tautan baru kepada pengelola kepegawaian."
        )
        session.refresh(signer)
        again = _view(session, services, signer, document, reenroll=reenroll, ask_provider=False)
        raise DecisionFormError(again, message) from None
    except (ProviderUnavailableServiceError, ProviderFailedError, ProviderRefusedError) as error:
        # Nothing changed: the same form, with why, and the link still usable.
        session.refresh(signer)
        raise DecisionFormError(_asked(services, view), error.detail, status=error.status) from None
    return Decided(signer=signer, document=document, rejected=False)


def _asked(services: Services, view: OpenLink) -> OpenLink:
    """The view with the provider's current word on the official (for a form shown again)."""
    if view.penyedia != "bsre":
        return view
    return replace(view, status=provider_status(services, view.signer))


def _code_sent(view: OpenLink) -> str:
    if view.channel is not None and view.channel.kind == "email" and view.channel.address:
        return f"Kode verifikasi dikirim ke {mask_email(view.channel.address)} (bila belum ada yang berlaku)."
    return "Kode verifikasi untuk Anda diberikan oleh pengelola kepegawaian yang mengirim tautan ini."


def _first_message(error: ValidationError) -> str:
    messages = error.messages
    if isinstance(messages, dict):
        first = next(iter(messages.values()))
        return str(first[0] if isinstance(first, list) else first)
    return str(messages[0])


def usable_link(session: Session, services: Services, token: str) -> tuple[Signer, Document]:
    """The signer and document of a link that may be used now (the inbox opens from one), or why
    not (404, 410, 409), as the signing page says it.
    """
    return _usable(session, services, token)
