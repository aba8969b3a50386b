"""Errors raised by :mod:`signing`; each carries the data a caller needs to answer about it.

The library knows nothing about HTTP: the service maps these classes to problem details.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

__all__ = [
    "BsreConfigurationError",
    "BsreError",
    "BsreUserError",
    "BsreWrongPassphraseError",
    "CertificateNotYetValidError",
    "CscCredentialNotFoundError",
    "CscError",
    "ExpiredCertificateError",
    "FieldAlreadySignedError",
    "FieldExistsError",
    "FieldNotFoundError",
    "InvalidFieldSpecError",
    "InvalidKeyFileError",
    "InvalidPdfError",
    "KeyFileError",
    "KeyMismatchError",
    "PdfError",
    "PkiError",
    "ProviderError",
    "ProviderUnavailableError",
    "RemoteSignatureRejectedError",
    "SignatureFailedError",
    "SigningError",
    "TimestampError",
    "TokenError",
    "WrongPassphraseError",
    "WrongPinError",
]


class SigningError(Exception):
    """Base class of every error this package raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- key material ---------------------------------------------------------------------------------


class KeyFileError(SigningError):
    """A key file (``.p12`` or PEM) cannot be used."""


class WrongPassphraseError(KeyFileError):
    """The key file is well-formed but the passphrase does not open it.

    PKCS#12 cannot tell a wrong passphrase from bytes flipped inside the encrypted payload: both
    fail the MAC. A file that is not even well-formed DER raises :class:`InvalidKeyFileError`.
    """

    def __init__(self, what: str = "PKCS#12") -> None:
        super().__init__(f"Frasa sandi salah untuk berkas kunci {what}.")
        self.what = what


class InvalidKeyFileError(KeyFileError):
    """The key file is corrupted, truncated or not a key file at all."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"Berkas kunci tidak valid: {reason}")
        self.reason = reason


class KeyMismatchError(KeyFileError):
    """The private key does not belong to the certificate it came with."""

    def __init__(self, subject: str) -> None:
        super().__init__(f"Kunci privat tidak cocok dengan sertifikat {subject!r}.")
        self.subject = subject


class ExpiredCertificateError(KeyFileError):
    """The certificate's validity period has ended."""

    def __init__(self, *, subject: str, not_after: datetime, at: datetime) -> None:
        super().__init__(
            f"Sertifikat {subject!r} kedaluwarsa pada {not_after.isoformat()} (diperiksa {at.isoformat()})."
        )
        self.subject = subject
        self.not_after = not_after
        self.at = at


class CertificateNotYetValidError(KeyFileError):
    """The certificate's validity period has not started yet."""

    def __init__(self, *, subject: str, not_before: datetime, at: datetime) -> None:
        super().__init__(
            f"Sertifikat {subject!r} baru berlaku pada {not_before.isoformat()} (diperiksa {at.isoformat()})."
        )
        self.subject = subject
        self.not_before = not_before
        self.at = at


class TokenError(SigningError):
    """A PKCS#11 token, its login or an object on it could not be used."""

    def __init__(self, reason: str, *, module: str | None = None) -> None:
        super().__init__(f"Token PKCS#11: {reason}")
        self.reason = reason
        self.module = module


class PkiError(SigningError):
    """The instance PKI directory is missing files or cannot be read."""

    def __init__(self, reason: str, *, path: str | None = None) -> None:
        super().__init__(f"PKI instans: {reason}" + (f" ({path})" if path else ""))
        self.reason = reason
        self.path = path


# -- PDF ------------------------------------------------------------------------------------------


class PdfError(SigningError):
    """A PDF-level problem."""


class InvalidPdfError(PdfError):
    """The input is not a PDF, or its structure (header, xref, trailer) cannot be read."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"Berkas bukan PDF yang dapat dibaca: {reason}")
        self.reason = reason


class FieldNotFoundError(PdfError):
    """No signature field of that name exists in the document."""

    def __init__(self, field_name: str, *, available: Sequence[str] = ()) -> None:
        super().__init__(
            f"Bidang tanda tangan {field_name!r} tidak ada"
            + (f"; yang ada: {', '.join(available)}." if available else ".")
        )
        self.field_name = field_name
        self.available = tuple(available)


class FieldAlreadySignedError(PdfError):
    """The signature field already holds a signature."""

    def __init__(self, field_name: str) -> None:
        super().__init__(f"Bidang tanda tangan {field_name!r} sudah ditandatangani.")
        self.field_name = field_name


class FieldExistsError(PdfError):
    """A field of that name already exists, so it cannot be added again."""

    def __init__(self, field_name: str) -> None:
        super().__init__(f"Bidang {field_name!r} sudah ada di dokumen.")
        self.field_name = field_name


class InvalidFieldSpecError(PdfError):
    """A field specification does not fit the document (page index, box)."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"Spesifikasi bidang {field_name!r} tidak valid: {reason}")
        self.field_name = field_name
        self.reason = reason


class SignatureFailedError(PdfError):
    """pyHanko refused or failed to produce the signature (the input is left as it was)."""

    def __init__(self, field_name: str | None, reason: str) -> None:
        super().__init__(f"Penandatanganan bidang {field_name!r} gagal: {reason}")
        self.field_name = field_name
        self.reason = reason


class TimestampError(SigningError):
    """The timestamp authority could not be reached or refused the request."""

    def __init__(self, reason: str, *, url: str | None = None) -> None:
        super().__init__(f"Otoritas cap waktu: {reason}" + (f" ({url})" if url else ""))
        self.reason = reason
        self.url = url


# -- outside certificate providers (BSrE, CSC) ----------------------------------------------------


class ProviderError(SigningError):
    """A certificate provider outside this service (BSrE, a CSC service) could not sign."""

    def __init__(self, message: str, *, provider: str) -> None:
        super().__init__(message)
        self.provider = provider


class ProviderUnavailableError(ProviderError):
    """The provider did not answer, answered too late, or failed on its side (HTTP 5xx).

    ``dispatched`` is true when the request may have reached the provider (a read timeout, a 5xx):
    the outcome is unknown, so the call must not be repeated automatically; the official may try
    again. False means it certainly never arrived (connection refused, connect timeout).
    """

    def __init__(self, reason: str, *, provider: str, dispatched: bool) -> None:
        what = (
            "tidak diketahui apakah permintaan sempat diproses" if dispatched else "permintaan tidak terkirim"
        )
        super().__init__(
            f"Layanan {provider} tidak dapat dihubungi atau sedang bermasalah ({reason}); {what}. "
            "Dokumen belum ditandatangani; silakan coba lagi beberapa saat lagi.",
            provider=provider,
        )
        self.reason = reason
        self.dispatched = dispatched


class BsreError(ProviderError):
    """BSrE answered, but not with something this client can use."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message, provider="BSrE")
        self.status_code = status_code


class BsreConfigurationError(BsreError):
    """BSrE refused the agency's client id/secret (HTTP 401): an administrator must fix it."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "Layanan BSrE menolak kredensial instansi (client id/secret); hubungi administrator."
            + (f" ({detail})" if detail else "")
        )


class BsreUserError(BsreError):
    """The official cannot sign with BSrE now (not registered, no certificate, expired ...)."""

    def __init__(self, status: str, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message, status_code=status_code)
        self.status = status


class BsreWrongPassphraseError(WrongPassphraseError, BsreError):
    """BSrE says the passphrase (or TOTP) is wrong (code 2031); counted toward the lock."""

    def __init__(self) -> None:
        SigningError.__init__(self, "Passphrase atau TOTP BSrE salah.")
        self.what = "BSrE"
        self.provider = "BSrE"
        self.status_code = 2031


class CscError(ProviderError):
    """The CSC service answered with an error this client cannot resolve."""

    def __init__(self, message: str, *, error: str | None = None) -> None:
        super().__init__(message, provider="CSC")
        self.error = error


class CscCredentialNotFoundError(CscError):
    """No credential of the CSC service belongs to the official."""

    def __init__(self, wanted: str) -> None:
        super().__init__(f"Layanan CSC tidak memiliki sertifikat untuk {wanted}.", error="not_found")
        self.wanted = wanted


class WrongPinError(WrongPassphraseError, CscError):
    """The CSC service refused the PIN or OTP (``invalid_pin``/``invalid_otp``); counted toward the lock."""

    def __init__(self, error: str = "invalid_pin") -> None:
        what = "OTP" if error == "invalid_otp" else "PIN"
        SigningError.__init__(self, f"{what} untuk layanan tanda tangan CSC salah.")
        self.what = what
        self.provider = "CSC"
        self.error = error


# -- a PDF signed elsewhere -----------------------------------------------------------------------


class RemoteSignatureRejectedError(SigningError):
    """A PDF returned by an outside provider failed a check; it must not be kept.

    ``reason`` names the check (``not_incremental``, ``signature_count``, ``earlier_signature``,
    ``new_signature``, ``wrong_signer``, ``untrusted``, ``revoked``, ``expired``, ``invalid_pdf``).
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"Berkas bertanda tangan dari penyedia ditolak: {detail}")
        self.reason = reason
        self.detail = detail
