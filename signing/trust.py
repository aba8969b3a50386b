"""The trust store every signing and validation function checks certificates against."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, Literal

from cryptography import x509
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import InvalidCertificateError, PathBuildingError, PathValidationError

from signing._asn1 import cert_to_asn1, crl_to_asn1
from signing.errors import PkiError

__all__ = ["TrustStore"]


@dataclass(frozen=True, kw_only=True)
class TrustStore:
    """What a validator trusts: roots, known intermediates and the revocation lists to check.

    Builds pyHanko validation contexts that never fetch anything over the network and fail hard
    when revocation data is missing, so a result depends only on what is configured here and
    what the PDF carries.
    """

    roots: tuple[x509.Certificate, ...]
    """Trust anchors."""

    intermediates: tuple[x509.Certificate, ...] = ()
    """Intermediate CA certificates that may be needed to build a path."""

    crls: tuple[x509.CertificateRevocationList, ...] = ()
    """CRLs for every CA in the hierarchy (one per issuing CA)."""

    revocation_mode: Literal["require", "hard-fail"] = "require"
    """``require``: every non-root certificate must be covered by a CRL (or OCSP response) here
    or in the PDF. ``hard-fail`` (certvalidator's legacy mode) only checks certificates that
    declare a CRL distribution point or OCSP responder, and silently skips the others, so a
    revoked dev-PKI certificate without distribution points would pass; use it only for
    external CAs whose certificates all declare them."""

    @classmethod
    def from_pem(
        cls,
        *,
        roots: Iterable[bytes],
        intermediates: Iterable[bytes] = (),
        crls: Iterable[bytes] = (),
    ) -> TrustStore:
        """Build a trust store from PEM or DER blobs.

        :param roots: Root certificates, PEM or DER, one certificate per item.
        :param intermediates: Intermediate certificates, PEM or DER.
        :param crls: CRLs, PEM or DER.
        :raises PkiError: if an item cannot be parsed.
        """
        return cls(
            roots=tuple(_load_cert(b) for b in roots),
            intermediates=tuple(_load_cert(b) for b in intermediates),
            crls=tuple(_load_crl(b) for b in crls),
        )

    @cached_property
    def _asn1(self) -> tuple[list[Any], list[Any], list[Any]]:
        return (
            [cert_to_asn1(c) for c in self.roots],
            [cert_to_asn1(c) for c in self.intermediates],
            [crl_to_asn1(c) for c in self.crls],
        )

    def validation_context(self, *, moment: datetime | None = None) -> ValidationContext:
        """A fresh pyHanko validation context (contexts cache results, so one per operation).

        :param moment: Validate as of this time instead of now.
        """
        roots, others, crls = self._asn1
        return ValidationContext(
            trust_roots=roots,
            other_certs=others,
            crls=crls,
            allow_fetching=False,
            revocation_mode=self.revocation_mode,
            moment=moment,
        )

    def check_certificate(
        self,
        certificate: x509.Certificate,
        *,
        extra_certs: Sequence[x509.Certificate] = (),
        key_usage: frozenset[str] = frozenset({"non_repudiation"}),
        moment: datetime | None = None,
    ) -> str | None:
        """Validate a certificate's path to a root here, with revocation checks.

        :param certificate: The end-entity certificate.
        :param extra_certs: Certificates that came with it (e.g. a ``.p12``'s chain).
        :param key_usage: Key usage bits the certificate must carry.
        :param moment: Validate as of this time instead of now.
        :return: ``None`` when trusted, otherwise a human-readable reason.
        """
        validator = CertificateValidator(
            cert_to_asn1(certificate),
            intermediate_certs=[cert_to_asn1(c) for c in extra_certs],
            validation_context=self.validation_context(moment=moment),
        )
        try:
            asyncio.run(validator.async_validate_usage(set(key_usage)))  # type: ignore[no-untyped-call]
        except PathBuildingError as e:
            return f"rantai sertifikat tidak dikenal: {e}"
        except PathValidationError as e:
            return f"rantai sertifikat tidak dipercaya: {e}"
        except InvalidCertificateError as e:
            # Raised for a self-signed end-entity certificate, before any path is built.
            return f"sertifikat tidak dapat dipercaya: {e}"
        return None


def _load_cert(data: bytes) -> x509.Certificate:
    try:
        if data.lstrip().startswith(b"-----"):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as e:
        raise PkiError(f"sertifikat tidak dapat dibaca: {e}") from e


def _load_crl(data: bytes) -> x509.CertificateRevocationList:
    try:
        if data.lstrip().startswith(b"-----"):
            return x509.load_pem_x509_crl(data)
        return x509.load_der_x509_crl(data)
    except ValueError as e:
        raise PkiError(f"CRL tidak dapat dibaca: {e}") from e
