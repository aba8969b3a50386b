"""Errors raised by :mod:`signing`; each carries the data a caller needs to answer about it.

The library knows nothing about HTTP: the service maps these classes to problem details.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

__all__ = [
    "CertificateNotYetValidError",
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
    "SignatureFailedError",
    "SigningError",
    "TimestampError",
    "TokenError",
    "WrongPassphraseError",
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
