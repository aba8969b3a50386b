"""Sign SKP documents: signature fields, the instance seal, approvals and the archival timestamp.

Every function takes the PDF as ``bytes`` and returns *new* bytes holding one more incremental
revision; the input is never modified, so the caller can write the result atomically (temp file,
fsync, rename) and keep the previous version. The sequence for an SKP is::

    add_signature_fields  → seal (certification, DocMDP: form filling and signing only)
    → approve × 3 (pegawai → pejabat penilai → atasan pejabat penilai; each B-LT)
    → add_document_timestamp (B-LTA)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO
from typing import Any

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.misc import PdfError as PyHankoPdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields as sig_fields
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, PdfTimeStamper
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.stamp import QRStamp, QRStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

from signing.errors import (
    FieldAlreadySignedError,
    FieldExistsError,
    FieldNotFoundError,
    InvalidFieldSpecError,
    InvalidPdfError,
    SignatureFailedError,
    TimestampError,
)
from signing.signers import DocumentSigner
from signing.timestamps import Timestamper
from signing.trust import TrustStore

__all__ = [
    "DEFAULT_SEAL_REASON",
    "PARSE_ERRORS",
    "ROLE_MARKER",
    "FieldSpec",
    "SignatureField",
    "StampInfo",
    "add_document_timestamp",
    "add_footer_and_fields",
    "add_signature_fields",
    "add_verification_footer",
    "approve",
    "open_pdf",
    "seal",
    "signature_fields",
]

log = logging.getLogger(__name__)

MD_ALGORITHM = "sha256"
DEFAULT_SEAL_REASON = "Dokumen diterbitkan dan disegel secara elektronik"
#: Approval reasons read "… sebagai <peran>"; :mod:`signing.validate` reads the role back from it.
ROLE_MARKER = " sebagai "

_STAMP_TEXT = "%(nama)s\n%(nomor)s. %(nip)s\n%(peran)s\n%(waktu)s"
_STAMP_STYLE = QRStampStyle(stamp_text=_STAMP_TEXT, border_width=1, innsep=2)
#: The same with :attr:`StampInfo.catatan` under the role (a Plt/Plh: whom they replaced).
_STAMP_STYLE_CATATAN = QRStampStyle(
    stamp_text="%(nama)s\n%(nomor)s. %(nip)s\n%(peran)s\n%(catatan)s\n%(waktu)s", border_width=1, innsep=2
)

# pyHanko reports some structural damage with plain built-in exceptions (an ``assert`` on the
# xref stream type, KeyError for a missing /Root ...), so all of these mean "cannot read".
PARSE_ERRORS = (
    PyHankoPdfError,
    AssertionError,
    AttributeError,
    IndexError,
    KeyError,
    RecursionError,
    TypeError,
    ValueError,
)

# Indonesian time zones by UTC offset, for the date shown on the stamp.
_ZONES = {timedelta(hours=7): "WIB", timedelta(hours=8): "WITA", timedelta(hours=9): "WIT"}


@dataclass(frozen=True, kw_only=True)
class FieldSpec:
    """An empty signature field to create."""

    name: str
    """Field name (``/T``), e.g. ``ttd_pegawai``."""
    page: int
    """Zero-based page index."""
    box: tuple[float, float, float, float]
    """``(x1, y1, x2, y2)`` in PDF points, origin bottom-left (absolute page coordinates)."""
    lock: bool = True
    """Give the field a FieldMDP lock on itself (``/Lock``: ``/Include [name]``), so that once
    signed, the field cannot change. It must be set now: adding ``/Lock`` to a field later is a
    change to a form field that invalidates the signatures made before it."""


@dataclass(frozen=True, kw_only=True)
class StampInfo:
    """What the visible approval stamp shows."""

    nama: str
    nip: str
    peran_label: str
    """Role as shown, e.g. ``Pejabat Penilai Kinerja``."""
    waktu: datetime
    """Date and time of signing, timezone-aware (shown as WIB/WITA/WIT when it matches)."""
    verify_url: str
    """Where the QR code points (``…/v/<verification_code>``)."""
    nomor: str = "NIP"
    """What ``nip`` is: ``NIP``, or ``NIK`` for an official without one (a pejabat negara)."""
    catatan: str | None = None
    """One more line under the role, e.g. ``menggantikan <nama>`` for a Plt/Plh signing a form that
    prints the official they replaced (its text was sealed before the delegation)."""


@dataclass(frozen=True, kw_only=True)
class SignatureField:
    """A signature field found in a document."""

    name: str
    signed: bool


# -- public operations ----------------------------------------------------------------------------


def open_pdf(pdf: bytes) -> PdfFileReader:
    """Parse ``pdf`` with pyHanko, mapping every structural failure to :class:`InvalidPdfError`.

    :param pdf: The file's bytes.
    :raises InvalidPdfError: for non-PDF input, a broken xref table or trailer.
    """
    _check_header(pdf)
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=True)
        # Touch the document catalog and page tree: a broken xref often only shows here.
        _ = reader.root["/Pages"]
    except PARSE_ERRORS as e:
        raise InvalidPdfError(f"{type(e).__name__}: {e}") from e
    return reader


def signature_fields(pdf: bytes) -> tuple[SignatureField, ...]:
    """List the signature fields of a document and whether each is signed.

    :param pdf: The file's bytes.
    :raises InvalidPdfError: if the input cannot be parsed.
    """
    reader = open_pdf(pdf)
    return tuple(
        SignatureField(name=name, signed=value is not None)
        for name, value, _ref in sig_fields.enumerate_sig_fields(reader)
    )


_FOOTER_STYLE = QRStampStyle(
    stamp_text="Dokumen ini ditandatangani secara elektronik dan dapat diverifikasi.\n"
    "Verifikasi: %(url)s\nKode verifikasi: %(kode)s",
    border_width=0,
    innsep=1,
)

#: The footer of a document whose officials sign with certified certificates (bsre.md, "Other").
_CERTIFIED_FOOTER_STYLE = QRStampStyle(
    stamp_text="UU ITE No. 11 Tahun 2008 Pasal 5 Ayat (1): Informasi Elektronik dan/atau Dokumen Elektronik\n"
    "dan/atau hasil cetaknya merupakan alat bukti hukum yang sah. Dokumen ini telah ditandatangani secara\n"
    "elektronik menggunakan sertifikat elektronik yang diterbitkan oleh %(penerbit)s.\n"
    "Verifikasi: %(url)s  Kode verifikasi: %(kode)s",
    border_width=0,
    innsep=1,
)


def add_verification_footer(
    pdf: bytes, *, url: str, code: str, box: tuple[float, float, float, float], pages: Sequence[int]
) -> bytes:
    """Draw the verification QR code and text into the reserved footer band of ``pages``.

    Page content, not annotations, in one incremental update; do it before :func:`seal`, which
    allows no such change afterwards.

    :param pdf: The document.
    :param url: Where the QR code points (``…/v/<code>``).
    :param code: The verification code, printed beside it.
    :param box: ``(x1, y1, x2, y2)`` of the band in PDF points (the same on every page).
    :param pages: Zero-based page indexes.
    :raises InvalidPdfError: if the input cannot be parsed.
    """
    writer = _writer(pdf)
    _draw_footer(writer, url=url, code=code, box=box, pages=pages)
    return _written(writer)


def add_footer_and_fields(
    pdf: bytes,
    *,
    url: str,
    code: str,
    box: tuple[float, float, float, float],
    fields: Sequence[FieldSpec],
    penerbit: str | None = None,
) -> bytes:
    """:func:`add_verification_footer` on every page and :func:`add_signature_fields`, in one
    incremental update: the document is parsed and written once instead of twice.

    ``penerbit`` names the issuer of the officials' certified certificates (``"BSrE"``): the footer
    then quotes UU ITE Pasal 5(1) as Indonesian government documents signed through it do.

    :raises InvalidPdfError: if the input cannot be parsed.
    :raises FieldExistsError: if a field of that name exists (or is given twice).
    :raises InvalidFieldSpecError: for a page index out of range or an empty box.
    """
    writer = _writer(pdf)
    page_count = int(writer.root["/Pages"]["/Count"])
    _draw_footer(writer, url=url, code=code, box=box, pages=range(page_count), penerbit=penerbit)
    _append_fields(writer, fields)
    return _written(writer)


def _draw_footer(
    writer: IncrementalPdfFileWriter,
    *,
    url: str,
    code: str,
    box: tuple[float, float, float, float],
    pages: Sequence[int],
    penerbit: str | None = None,
) -> None:
    x1, y1, x2, y2 = box
    # One stamp for every page: pyHanko renders (and encodes the QR code) once and each page
    # refers to the same form XObject.
    stamp = QRStamp(
        writer,
        url=url,
        style=_FOOTER_STYLE if penerbit is None else _CERTIFIED_FOOTER_STYLE,
        text_params={"kode": code, "penerbit": penerbit or ""},
        # The UU ITE lines are longer: in the short footer's width they would print at under 4 pt.
        box=BoxConstraints(width=min(x2 - x1, 330) if penerbit is None else x2 - x1, height=y2 - y1),
    )
    for page in pages:
        stamp.apply(page, x1, y1)


def add_signature_fields(pdf: bytes, fields: Sequence[FieldSpec]) -> bytes:
    """Add empty, visible signature fields in one incremental update.

    Do this before :func:`seal`: after certification, new visible fields count as a
    modification the seal does not allow.

    :param pdf: The document.
    :param fields: The fields to add.
    :return: The document with one more revision.
    :raises InvalidPdfError: if the input cannot be parsed.
    :raises FieldExistsError: if a field of that name exists (or is given twice).
    :raises InvalidFieldSpecError: for a page index out of range or an empty box.
    """
    writer = _writer(pdf)
    _append_fields(writer, fields)
    return _written(writer)


def _append_fields(writer: IncrementalPdfFileWriter, fields: Sequence[FieldSpec]) -> None:
    existing = {name for name, _v, _r in sig_fields.enumerate_sig_fields(writer)}
    page_count = int(writer.root["/Pages"]["/Count"])
    for spec in fields:
        if spec.name in existing:
            raise FieldExistsError(spec.name)
        if not 0 <= spec.page < page_count:
            raise InvalidFieldSpecError(spec.name, f"halaman {spec.page} di luar 0..{page_count - 1}")
        x1, y1, x2, y2 = (round(v) for v in spec.box)
        if x2 <= x1 or y2 <= y1:
            raise InvalidFieldSpecError(spec.name, f"kotak kosong {spec.box}")
        lock = (
            sig_fields.FieldMDPSpec(action=sig_fields.FieldMDPAction.INCLUDE, fields=[spec.name])
            if spec.lock
            else None
        )
        sig_fields.append_signature_field(
            writer,
            sig_fields.SigFieldSpec(
                sig_field_name=spec.name,
                on_page=spec.page,
                box=(x1, y1, x2, y2),
                field_mdp_spec=lock,
            ),
        )
        existing.add(spec.name)


def seal(
    pdf: bytes,
    *,
    signer: DocumentSigner,
    timestamper: Timestamper,
    trust: TrustStore,
    field_name: str = "segel",
    reason: str = DEFAULT_SEAL_REASON,
    location: str | None = None,
    certify: bool = True,
) -> bytes:
    """Certify the document with the instance seal (PAdES B-LT).

    A certification signature with DocMDP permission "form filling and signing" (P=2): signing
    the pre-created fields stays allowed, any other change is detectable. The signature carries
    an RFC 3161 signature timestamp, and the chain's certificates and CRLs go into the DSS.
    ``field_name`` is used if present (empty), otherwise an invisible field is created.

    With ``certify=False`` the seal is an approval signature instead: for a document a provider
    will sign in a visible field *it* creates (BSrE), which pyHanko, stricter than Acrobat here,
    refuses after a certification signature. Later changes are still analysed as form filling.

    :param pdf: The document, usually straight from :func:`add_signature_fields`.
    :param signer: The instance seal signer.
    :param timestamper: The TSA.
    :param trust: Trust store whose CRLs are embedded and against which the seal and TSA
        certificates are validated before signing (revocation data of outside CAs is fetched
        and embedded too, see :meth:`TrustStore.signing_context`).
    :param field_name: The seal's field.
    :param reason: ``/Reason`` of the signature.
    :param location: ``/Location`` of the signature.
    :return: The sealed document.
    :raises InvalidPdfError: if the input cannot be parsed.
    :raises FieldAlreadySignedError: if the field is already signed.
    :raises SignatureFailedError: if the document already holds a signature, or the seal or TSA
        certificate does not validate against ``trust``.
    :raises TimestampError: if the TSA fails.
    """
    writer = _writer(pdf)
    if _find_field(writer, field_name, must_exist=False):
        raise FieldAlreadySignedError(field_name)
    meta = PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm=MD_ALGORITHM,
        reason=reason,
        location=location,
        certify=certify,
        docmdp_permissions=sig_fields.MDPPerm.FILL_FORMS,
        subfilter=sig_fields.SigSeedSubFilter.PADES,
        embed_validation_info=True,
        validation_context=trust.signing_context(),
    )
    return _sign(writer, lambda: _writer(pdf), meta, signer, timestamper, existing_fields_only=False)


def approve(
    pdf: bytes,
    *,
    field_name: str,
    signer: DocumentSigner,
    timestamper: Timestamper,
    trust: TrustStore,
    stamp: StampInfo,
    lock_field: bool = True,
    reason: str | None = None,
    location: str | None = None,
    validation_context: ValidationContext | None = None,
) -> bytes:
    """Sign a pre-created field with an approval signature (PAdES B-LT) and a visible stamp.

    The stamp shows name, NIP, role, date and time, and a QR code to ``stamp.verify_url``. The
    field's FieldMDP lock (declared when the field was created, see :attr:`FieldSpec.lock`) is
    written into the signature as a ``/FieldMDP`` reference, so nothing may change that field
    after this signature.

    :param pdf: The document (sealed, possibly already approved by earlier signers).
    :param field_name: The empty signature field to fill.
    :param signer: The signer.
    :param timestamper: The TSA.
    :param trust: Trust store (validation before signing; its CRLs, and OCSP responses and
        CRLs fetched for outside CAs, embedded in the DSS; a revoked certificate is refused).
    :param stamp: Text and QR target of the visible stamp.
    :param lock_field: Require the field to carry its FieldMDP lock; with ``False`` an unlocked
        field is signed as it is. (The lock cannot be added now: adding ``/Lock`` to a field
        after the seal is a form change that breaks the earlier signatures.)
    :param reason: ``/Reason``; defaults to ``"Menyetujui dokumen sebagai <peran_label>"``.
    :param location: ``/Location`` of the signature.
    :param validation_context: Validate and embed with this context instead of a new
        ``trust.signing_context()`` (one the signer's certificate was already checked in).
    :return: The document with the approval revision (and its DSS revision).
    :raises InvalidPdfError: if the input cannot be parsed.
    :raises FieldNotFoundError: if no signature field has that name.
    :raises FieldAlreadySignedError: if the field is already signed.
    :raises InvalidFieldSpecError: if ``lock_field`` and the field has no lock on itself.
    :raises SignatureFailedError: if pyHanko refuses (e.g. the signer's certificate does not
        validate against ``trust``).
    :raises TimestampError: if the TSA fails.
    :raises ValueError: if ``stamp.waktu`` has no time zone.
    """

    def make_writer() -> IncrementalPdfFileWriter:
        writer = _writer(pdf)
        if _find_field(writer, field_name, must_exist=True):
            raise FieldAlreadySignedError(field_name)
        if lock_field:
            _require_lock(writer, field_name)
        return writer

    meta = PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm=MD_ALGORITHM,
        reason=reason or f"Menyetujui dokumen{ROLE_MARKER}{stamp.peran_label}",
        location=location,
        name=stamp.nama,
        subfilter=sig_fields.SigSeedSubFilter.PADES,
        embed_validation_info=True,
        validation_context=validation_context or trust.signing_context(),
    )
    params = {
        "url": stamp.verify_url,
        "nama": stamp.nama,
        "nip": stamp.nip,
        "nomor": stamp.nomor,
        "peran": stamp.peran_label,
        "waktu": _format_waktu(stamp.waktu),
    }
    if stamp.catatan:
        params["catatan"] = stamp.catatan
    return _sign(
        make_writer(),
        make_writer,
        meta,
        signer,
        timestamper,
        existing_fields_only=True,
        stamp_style=_STAMP_STYLE_CATATAN if stamp.catatan else _STAMP_STYLE,
        text_params=params,
    )


def add_document_timestamp(
    pdf: bytes,
    *,
    timestamper: Timestamper,
    trust: TrustStore,
    field_name: str | None = None,
) -> bytes:
    """Add validation data and an RFC 3161 document timestamp over everything (PAdES B-LTA).

    If the document already has document timestamps, the newest is validated and its validation
    data added to the DSS before the new one (renewing the archival chain).

    :param pdf: The fully signed document.
    :param timestamper: The TSA.
    :param trust: Trust store for validating the TSA (and earlier timestamps).
    :param field_name: Name of the (invisible) timestamp field; generated if omitted.
    :return: The timestamped document.
    :raises InvalidPdfError: if the input cannot be parsed.
    :raises TimestampError: if the TSA fails or an earlier timestamp does not validate.
    """
    writer = _writer(pdf)
    stamper = PdfTimeStamper(timestamper.pyhanko_timestamper, field_name=field_name)
    out = BytesIO()
    with _translate_errors(field_name):
        if _has_document_timestamp(pdf, writer):
            # Renewal: pyHanko validates the newest timestamp and adds its revocation data first.
            stamper.update_archival_timestamp_chain(
                writer.prev, trust.signing_context(), in_place=False, output=out
            )
        else:
            stamper.timestamp_pdf(
                writer,
                MD_ALGORITHM,
                validation_context=trust.signing_context(),
                bytes_reserved=_reserve(None, timestamper.pyhanko_timestamper),
                output=out,
            )
    return out.getvalue()


# -- internals ------------------------------------------------------------------------------------


def _written(writer: IncrementalPdfFileWriter) -> bytes:
    """The document with the writer's incremental update appended."""
    out = BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()


def _writer(pdf: bytes) -> IncrementalPdfFileWriter:
    _check_header(pdf)
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=True)
        _ = writer.root["/Pages"]
    except PARSE_ERRORS as e:
        raise InvalidPdfError(f"{type(e).__name__}: {e}") from e
    return writer


def _check_header(pdf: bytes) -> None:
    if not pdf[:1024].lstrip().startswith(b"%PDF-"):
        raise InvalidPdfError("tidak diawali header %PDF-")


def _find_field(writer: IncrementalPdfFileWriter, name: str, *, must_exist: bool) -> bool | None:
    """``True``/``False`` = exists and is (not) signed; ``None`` = absent (if allowed)."""
    all_fields = list(sig_fields.enumerate_sig_fields(writer))
    for fq_name, value, _ref in all_fields:
        if fq_name == name:
            return value is not None
    if must_exist:
        raise FieldNotFoundError(name, available=[n for n, _v, _r in all_fields])
    return None


def _has_document_timestamp(pdf: bytes, writer: IncrementalPdfFileWriter) -> bool:
    # Resolving a signature field's /V makes pyHanko parse its whole /Contents hex string (tens of
    # ms per signature), so look for the token in the raw bytes first. A timestamp hidden in a
    # compressed object stream would be missed; then a fresh timestamp is added instead of a
    # renewal, which is still a valid B-LTA file.
    if b"/DocTimeStamp" not in pdf:
        return False
    return any(
        value is not None and value.get_object().get("/Type") == "/DocTimeStamp"
        for _name, value, _ref in sig_fields.enumerate_sig_fields(writer, filled_status=True)
    )


def _require_lock(writer: IncrementalPdfFileWriter, name: str) -> None:
    for _n, _v, field_ref in sig_fields.enumerate_sig_fields(writer, with_name=name):
        lock = field_ref.get_object().get("/Lock")
        if lock is None:
            break
        spec = sig_fields.FieldMDPSpec.from_pdf_object(lock.get_object())
        if spec.action == sig_fields.FieldMDPAction.ALL or name in (spec.fields or ()):
            return
    raise InvalidFieldSpecError(name, "bidang tidak memiliki kunci FieldMDP atas dirinya (FieldSpec.lock)")


def _sign(
    writer: IncrementalPdfFileWriter,
    make_writer: Callable[[], IncrementalPdfFileWriter],
    meta: PdfSignatureMetadata,
    signer: DocumentSigner,
    timestamper: Timestamper,
    *,
    existing_fields_only: bool,
    stamp_style: QRStampStyle | None = None,
    text_params: dict[str, str] | None = None,
) -> bytes:
    tsa = timestamper.pyhanko_timestamper
    pdf_signer = PdfSigner(meta, signer.pyhanko_signer, timestamper=tsa, stamp_style=stamp_style)
    reserved: int | None = _reserve(signer, tsa)
    for attempt in range(2):
        out = BytesIO()
        try:
            with _translate_errors(meta.field_name):
                pdf_signer.sign_pdf(
                    writer if attempt == 0 else make_writer(),
                    existing_fields_only=existing_fields_only,
                    bytes_reserved=reserved,
                    appearance_text_params=text_params,
                    output=out,
                )
            return out.getvalue()
        except SignatureFailedError as e:
            if attempt or "larger than expected" not in e.reason:
                raise
            # Our size estimate was short (unusual chain or TSA): let pyHanko measure a dry run.
            log.warning("signature size estimate too small for %s; retrying", meta.field_name)
            reserved = None
    raise AssertionError("unreachable")  # pragma: no cover


def _reserve(signer: DocumentSigner | None, tsa: TimeStamper) -> int:
    """Hex digits to reserve for the CMS blob, so pyHanko skips its dry-run signature (P9).

    Certificates dominate the size and are known up front; the timestamp token's size comes from
    the timestamper's cached dummy response (computed once per timestamper object).
    """
    size = 4096  # signed attributes, signature value, DER overhead; generous on purpose
    if signer is not None:
        ps = signer.pyhanko_signer
        size += len(ps.signing_cert.dump()) if ps.signing_cert is not None else 2048
        size += sum(len(c.dump()) for c in ps.cert_registry)
    try:
        token = asyncio.run(tsa.async_dummy_response(MD_ALGORITHM))
    except Exception as e:
        raise TimestampError(f"{type(e).__name__}: {e}", url=getattr(tsa, "url", None)) from e
    size += len(token.dump())
    return 2 * size


@contextmanager
def _translate_errors(field_name: str | None) -> Iterator[None]:
    try:
        yield
    except TimestampRequestError as e:
        raise TimestampError(str(e)) from e
    except (PyHankoSigningError, PathBuildingError, PathValidationError) as e:
        raise SignatureFailedError(field_name, _message(e)) from e
    except PyHankoPdfError as e:
        raise InvalidPdfError(_message(e)) from e


def _message(e: Exception) -> str:
    parts: list[Any] = [getattr(e, "msg", None) or str(e)]
    if e.__cause__ is not None:
        parts.append(e.__cause__)
    return ": ".join(str(p) for p in parts)


def _format_waktu(waktu: datetime) -> str:
    if waktu.tzinfo is None:
        raise ValueError("StampInfo.waktu must be timezone-aware")
    offset = waktu.utcoffset()
    zone = _ZONES.get(offset) if offset is not None else None
    if zone is None:
        zone = waktu.strftime("UTC%z")
    return f"{waktu:%d-%m-%Y %H:%M:%S} {zone}"
