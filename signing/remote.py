"""Accept a PDF that an outside provider (BSrE) signed, then give it the validation data for LTV.

The provider returns a whole file; nothing in it is taken on trust. :func:`accept_remote_signature`
checks that it is the revision sent plus exactly one new, intact, valid signature by the official,
chaining to the configured anchors and not revoked (OCSP/CRL fetched now), and that every earlier
signature still holds. :func:`add_validation_data` then appends a DSS revision with the
certificates and OCSP responses/CRLs of that signature and its timestamp (B-T → B-LT).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from io import BytesIO

from asn1crypto import tsp
from cryptography import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.diff_analysis import (
    ModificationLevel,
)
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.dss import async_add_validation_info
from pyhanko.sign.validation.generic_cms import validate_sig_integrity
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

from signing._asn1 import cert_from_asn1
from signing.errors import InvalidPdfError, RemoteSignatureRejectedError, SignatureFailedError
from signing.pdf import PARSE_ERRORS, open_pdf
from signing.signers import subject_id_digits
from signing.trust import TrustStore

__all__ = ["accept_remote_signature", "add_validation_data", "fetching_context"]

#: Changes after the new signature that may come with it (a provider adding its own DSS).
_AFTER_SIGNING_OK = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)


def fetching_context(trust: TrustStore) -> ValidationContext:
    """A validation context on ``trust`` that fetches OCSP responses and CRLs of outside CAs."""
    return trust.signing_context()


def accept_remote_signature(
    sent: bytes,
    returned: bytes,
    *,
    trust: TrustStore,
    signer_ids: Collection[str],
    vc: ValidationContext | None = None,
) -> x509.Certificate:
    """Check a file signed elsewhere before it replaces the revision that was sent.

    :param sent: The exact bytes sent to the provider.
    :param returned: What came back.
    :param trust: The trust anchors (instance CA and configured outside roots).
    :param signer_ids: NIK/NIP the signing certificate may carry (subject serialNumber, digits).
    :param vc: Validation context for the new signature (default: :func:`fetching_context`).
    :return: The new signature's certificate.
    :raises RemoteSignatureRejectedError: naming the first check that failed.
    """
    if not returned.startswith(sent) or len(returned) <= len(sent):
        raise RemoteSignatureRejectedError("not_incremental", _not_incremental_detail(sent, returned))
    try:
        before = open_pdf(sent)
        after = open_pdf(returned)
    except InvalidPdfError as e:
        raise RemoteSignatureRejectedError("invalid_pdf", f"berkas tidak dapat dibaca ({e.reason}).") from e
    try:
        revisions_before = before.xrefs.total_revisions
        revisions_after = after.xrefs.total_revisions
        old = _signatures(before)
        new = _signatures(after)
    except PARSE_ERRORS as e:
        raise RemoteSignatureRejectedError(
            "invalid_pdf", f"struktur berkas rusak ({type(e).__name__})."
        ) from e
    if revisions_after <= revisions_before:
        raise RemoteSignatureRejectedError(
            "not_incremental", "berkas tidak menambah revisi baru pada dokumen yang dikirim."
        )
    if len(new) != len(old) + 1:
        raise RemoteSignatureRejectedError(
            "signature_count",
            f"diharapkan tepat satu tanda tangan baru, ditemukan {len(new) - len(old)}.",
        )
    old_names = {str(es.field_name) for es in old}
    added = [es for es in new if str(es.field_name) not in old_names]
    if len(added) != 1:
        raise RemoteSignatureRejectedError(
            "signature_count", "tanda tangan baru menimpa bidang tanda tangan yang sudah ada."
        )
    newest = added[0]
    if newest.signed_revision < revisions_before:
        raise RemoteSignatureRejectedError(
            "signature_count", "tanda tangan baru tidak berada di revisi yang ditambahkan."
        )
    for es in new:
        if es is not newest:
            _check_earlier(es)
    context = vc if vc is not None else fetching_context(trust)
    status = asyncio.run(_validate(newest, context))
    return _check_new(newest, status, signer_ids)


def add_validation_data(pdf: bytes, *, vc: ValidationContext) -> bytes:
    """Append a DSS revision with the validation data of the newest signature and its timestamp.

    :param pdf: A document whose last signature lacks revocation data (e.g. BSrE's B-T output).
    :param vc: A validation context that can fetch (or already holds) the OCSP responses/CRLs.
    :return: The document with one more (DSS) revision.
    :raises InvalidPdfError: if the input cannot be parsed.
    :raises SignatureFailedError: if the signature's or timestamp's chain cannot be validated.
    """
    reader = open_pdf(pdf)
    try:
        regular = sorted(reader.embedded_regular_signatures, key=lambda e: e.signed_revision)
    except PARSE_ERRORS as e:
        raise InvalidPdfError(f"{type(e).__name__}: {e}") from e
    if not regular:
        raise SignatureFailedError(None, "dokumen tidak memiliki tanda tangan")
    newest = regular[-1]
    out = BytesIO()

    async def add() -> None:
        try:
            await async_add_validation_info(newest, vc, output=out, force_write=True)
        finally:
            await vc.aclose()  # type: ignore[no-untyped-call]

    try:
        asyncio.run(add())
    except (PathBuildingError, PathValidationError, PyHankoSigningError) as e:
        raise SignatureFailedError(
            str(newest.field_name), f"data validasi tidak dapat dikumpulkan: {e}"
        ) from e
    return out.getvalue()


# -- internals ------------------------------------------------------------------------------------


def _signatures(reader: PdfFileReader) -> list[EmbeddedPdfSignature]:
    sigs = list(reader.embedded_signatures)
    return sorted(sigs, key=lambda e: e.signed_revision)


def _check_earlier(es: EmbeddedPdfSignature) -> None:
    """An earlier signature must still be intact and allow what was added after it."""
    name = str(es.field_name)
    try:
        es.compute_integrity_info()  # type: ignore[no-untyped-call]
        summary = es.summarise_integrity_info()
        intact = _digest_intact(es)
    except Exception as e:  # pyHanko raises many classes for a damaged signature
        raise RemoteSignatureRejectedError(
            "earlier_signature", f"tanda tangan {name!r} yang sudah ada rusak ({type(e).__name__}: {e})."
        ) from e
    if not intact:
        raise RemoteSignatureRejectedError(
            "earlier_signature", f"tanda tangan {name!r} yang sudah ada tidak utuh lagi."
        )
    if summary.get("docmdp_ok") is False:
        diff = summary.get("diff_result")
        level = getattr(diff, "modification_level", None)
        raise RemoteSignatureRejectedError(
            "earlier_signature",
            f"perubahan setelah tanda tangan {name!r} tidak diizinkan olehnya"
            + (f" (tingkat {level.name})." if level is not None else f" ({diff})."),
        )


def _digest_intact(es: EmbeddedPdfSignature) -> bool:
    """Whether the byte-range digest matches the one signed (for a signature and a timestamp)."""
    if es.sig_object_type == "/DocTimeStamp":
        tst = es.signed_data["encap_content_info"]["content"].parsed
        if not isinstance(tst, tsp.TSTInfo):
            return False
        return bool(tst["message_imprint"]["hashed_message"].native == es.compute_digest())
    intact, _valid = validate_sig_integrity(
        es.signer_info, es.signer_cert, expected_content_type="data", actual_digest=es.compute_digest()
    )
    return bool(intact)


async def _validate(es: EmbeddedPdfSignature, vc: ValidationContext) -> PdfSignatureStatus | Exception:
    try:
        return await async_validate_pdf_signature(
            es, signer_validation_context=vc, ts_validation_context=vc
        )
    except Exception as e:  # noqa: BLE001  (reported as a rejection below)
        return e
    finally:
        await vc.aclose()  # type: ignore[no-untyped-call]


def _check_new(
    es: EmbeddedPdfSignature, status: PdfSignatureStatus | Exception, signer_ids: Collection[str]
) -> x509.Certificate:
    if isinstance(status, Exception):
        raise RemoteSignatureRejectedError(
            "new_signature", f"tanda tangan baru tidak dapat diperiksa ({type(status).__name__}: {status})."
        )
    if es.sig_object_type != "/Sig":
        raise RemoteSignatureRejectedError(
            "new_signature", "revisi baru berisi cap waktu dokumen, bukan tanda tangan."
        )
    if not status.intact or not status.valid:
        raise RemoteSignatureRejectedError(
            "new_signature", "tanda tangan baru tidak utuh atau tidak sah secara kriptografis."
        )
    cert = cert_from_asn1(es.signer_cert)
    wanted = {"".join(ch for ch in i if ch.isdigit()) for i in signer_ids} - {""}
    found = subject_id_digits(cert)
    if found is None or found not in wanted:
        raise RemoteSignatureRejectedError(
            "wrong_signer",
            f"sertifikat penanda tangan atas nomor {found or '(tidak ada)'} "
            f"({cert.subject.rfc4514_string()}), bukan {' / '.join(sorted(wanted))}.",
        )
    if status.revoked:
        raise RemoteSignatureRejectedError("revoked", "sertifikat penanda tangan telah dicabut (revoked).")
    indic = status.trust_problem_indic
    if indic is not None:
        if indic in (
            AdESFailure.REVOKED,
            AdESIndeterminate.REVOKED_NO_POE,
            AdESIndeterminate.REVOKED_CA_NO_POE,
        ):
            raise RemoteSignatureRejectedError(
                "revoked", f"sertifikat dalam rantai telah dicabut ({getattr(indic, 'name', indic)})."
            )
        if indic in (
            AdESIndeterminate.EXPIRED,
            AdESFailure.NOT_YET_VALID,
            AdESIndeterminate.NOT_YET_VALID,
            AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
            AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
        ):
            raise RemoteSignatureRejectedError(
                "expired",
                f"sertifikat penanda tangan tidak berlaku (berlaku {cert.not_valid_before_utc:%d-%m-%Y} "
                f"s.d. {cert.not_valid_after_utc:%d-%m-%Y}).",
            )
        raise RemoteSignatureRejectedError(
            "untrusted", f"sertifikat penanda tangan tidak dipercaya ({getattr(indic, 'name', indic)})."
        )
    if not status.trusted:
        raise RemoteSignatureRejectedError("untrusted", "sertifikat penanda tangan tidak dipercaya.")
    ts = status.timestamp_validity
    if ts is not None and not (ts.intact and ts.valid and ts.trusted):
        raise RemoteSignatureRejectedError(
            "timestamp", "cap waktu tanda tangan tidak sah atau otoritas cap waktunya tidak dipercaya."
        )
    level = status.modification_level
    if level is not None and level not in _AFTER_SIGNING_OK:
        raise RemoteSignatureRejectedError(
            "new_signature", f"dokumen diubah setelah tanda tangan baru (tingkat {level.name})."
        )
    return cert


def _not_incremental_detail(sent: bytes, returned: bytes) -> str:
    if len(returned) >= len(sent):
        changed = sum(1 for a, b in zip(sent, returned, strict=False) if a != b)
        if changed:
            return (
                f"berkas mengubah {changed} bita dari revisi yang dikirim, bukan pembaruan inkremental "
                "(tanda tangan yang sudah ada dapat rusak)."
            )
    return "berkas bukan pembaruan inkremental dari revisi yang dikirim."
