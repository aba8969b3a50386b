"""The trust store every signing and validation function checks certificates against.

Two kinds of validation context come out of it:

* :meth:`TrustStore.validation_context` never touches the network: trust and revocation come
  from this store and from what the caller passes in (a PDF's DSS), so a verdict depends only on
  the configuration and the file;
* :meth:`TrustStore.signing_context` fetches OCSP responses (first) and CRLs for certificates of
  outside CAs, so that signing with ``embed_validation_info`` puts them into the DSS. It never
  fetches for certificates issued by a CA of :attr:`TrustStore.local_issuers` (the instance's own:
  its CRLs are here already, and a request from the service to itself can deadlock a single
  worker).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.authority import Authority
from pyhanko_certvalidator.errors import (
    InsufficientRevinfoError,
    InvalidCertificateError,
    OCSPFetchError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
)
from pyhanko_certvalidator.fetchers.api import (
    CertificateFetcher,
    CRLFetcher,
    FetcherBackend,
    Fetchers,
    OCSPFetcher,
)
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

from signing._asn1 import cert_to_asn1, crl_to_asn1
from signing.errors import PkiError

__all__ = ["DEFAULT_FETCH_TIMEOUT", "TrustStore", "load_certificates", "load_trust_anchors"]

#: Seconds for one OCSP/CRL/AIA request to an outside CA.
DEFAULT_FETCH_TIMEOUT = 10.0


_SHA256 = hashes.SHA256()


@dataclass(frozen=True, kw_only=True)
class TrustStore:
    """What a validator trusts: roots, known intermediates and the revocation data to check.

    Contexts fail hard when revocation data is missing (``require``), so a revoked certificate
    never passes for lack of information.
    """

    roots: tuple[x509.Certificate, ...]
    """Trust anchors: the instance root and any configured outside anchors."""

    intermediates: tuple[x509.Certificate, ...] = ()
    """Intermediate CA certificates that may be needed to build a path."""

    crls: tuple[x509.CertificateRevocationList, ...] = ()
    """CRLs for every local CA in the hierarchy (one per issuing CA)."""

    local_issuers: tuple[x509.Certificate, ...] = ()
    """CAs whose revocation data is all in :attr:`crls` (the instance's own): nothing is ever
    fetched for a certificate they issued, even by :meth:`signing_context`."""

    revocation_mode: Literal["require", "hard-fail"] = "require"
    """``require``: every non-root certificate must be covered by a CRL (or OCSP response) here
    or in the PDF. ``hard-fail`` (certvalidator's legacy mode) only checks certificates that
    declare a CRL distribution point or OCSP responder, and silently skips the others, so a
    revoked dev-PKI certificate without distribution points would pass; use it only for
    external CAs whose certificates all declare them."""

    fetch_timeout: float = DEFAULT_FETCH_TIMEOUT
    """Per-request timeout of :meth:`signing_context`'s fetches, in seconds."""

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

    def with_anchors(self, anchors: Iterable[x509.Certificate]) -> TrustStore:
        """This store with ``anchors`` trusted too (duplicates of a root are dropped)."""
        known = {c.fingerprint(_SHA256) for c in self.roots}
        extra = []
        for cert in anchors:
            fp = cert.fingerprint(_SHA256)
            if fp not in known:
                known.add(fp)
                extra.append(cert)
        return replace(self, roots=(*self.roots, *extra))

    @cached_property
    def _asn1(self) -> tuple[list[Any], list[Any], list[Any]]:
        return (
            [cert_to_asn1(c) for c in self.roots],
            [cert_to_asn1(c) for c in self.intermediates],
            [crl_to_asn1(c) for c in self.crls],
        )

    @cached_property
    def _local_issuer_names(self) -> frozenset[bytes]:
        return frozenset(cert_to_asn1(c).subject.dump() for c in self.local_issuers)

    def validation_context(
        self,
        *,
        moment: datetime | None = None,
        other_certs: Iterable[Any] = (),
        crls: Iterable[Any] = (),
        ocsps: Iterable[Any] = (),
        retroactive_revinfo: bool = False,
    ) -> ValidationContext:
        """A fresh offline validation context (contexts cache results, so one per operation).

        :param moment: Validate as of this time instead of now.
        :param other_certs: More certificates (``asn1crypto``) for path building, e.g. a DSS's.
        :param crls: More CRLs (``asn1crypto``), e.g. those in a PDF's DSS.
        :param ocsps: OCSP responses (``asn1crypto``), e.g. those in a PDF's DSS.
        :param retroactive_revinfo: Let revocation data issued after ``moment`` count for it
            (PAdES-LT: the DSS is written after the signature it vouches for).
        """
        roots, others, local_crls = self._asn1
        return ValidationContext(
            trust_roots=roots,
            other_certs=[*others, *other_certs],
            crls=[*local_crls, *crls],
            ocsps=list(ocsps),
            allow_fetching=False,
            revocation_mode=self.revocation_mode,
            moment=moment,
            retroactive_revinfo=retroactive_revinfo,
        )

    def signing_context(self, *, moment: datetime | None = None) -> ValidationContext:
        """A validation context that fetches revocation data of outside certificates.

        OCSP is tried first (for certificates that name a responder), then the CRL distribution
        points; certificates issued by :attr:`local_issuers` are checked against :attr:`crls`
        only. Use it when signing with ``embed_validation_info=True`` so the DSS gets what was
        fetched, and when accepting an outside certificate (a revoked one fails here).

        :param moment: Validate as of this time instead of now.
        """
        roots, others, local_crls = self._asn1
        backend = _LocalAwareFetcherBackend(
            RequestsFetcherBackend(per_request_timeout=self.fetch_timeout),
            local_issuer_names=self._local_issuer_names,
        )
        return ValidationContext(
            trust_roots=roots,
            other_certs=others,
            crls=local_crls,
            allow_fetching=True,
            fetcher_backend=backend,
            revocation_mode=self.revocation_mode,
            moment=moment,
        )

    def chain_for(
        self, certificate: x509.Certificate, *, extra_certs: Sequence[x509.Certificate] = ()
    ) -> tuple[x509.Certificate, ...]:
        """The issuer certificates from ``certificate`` up to one of :attr:`roots` (issuing CA
        first, root last), or ``()`` when no path exists; trust and revocation are not checked.

        What a signer of any CA should embed instead of the instance CA's chain: the path of
        its own certificate (built from ``extra_certs``, e.g. a ``.p12``'s, and the
        intermediates known here).

        :param certificate: The end-entity certificate.
        :param extra_certs: Certificates that came with it.
        """
        context = self.validation_context()
        for cert in extra_certs:
            context.certificate_registry.register(cert_to_asn1(cert))
        try:
            paths = asyncio.run(context.path_builder.async_build_paths(cert_to_asn1(certificate)))
        except PathBuildingError:
            return ()
        if not paths:
            return ()
        issuers = [c for c in paths[0] if c.dump() != cert_to_asn1(certificate).dump()]
        return tuple(x509.load_der_x509_certificate(c.dump()) for c in reversed(issuers))

    def check_certificate(
        self,
        certificate: x509.Certificate,
        *,
        extra_certs: Sequence[x509.Certificate] = (),
        key_usage: frozenset[str] = frozenset({"non_repudiation"}),
        moment: datetime | None = None,
        fetch: bool = False,
        context: ValidationContext | None = None,
    ) -> str | None:
        """Validate a certificate's path to a root here, with revocation checks.

        :param certificate: The end-entity certificate.
        :param extra_certs: Certificates that came with it (e.g. a ``.p12``'s chain).
        :param key_usage: Key usage bits the certificate must carry.
        :param moment: Validate as of this time instead of now.
        :param fetch: Fetch OCSP/CRLs of outside CAs (:meth:`signing_context`); without it only
            the revocation data held here counts.
        :param context: Check in this context instead (e.g. the :meth:`signing_context` the
            signature will be made in, so what is fetched now is not fetched again).
        :return: ``None`` when trusted, otherwise a human-readable reason (Indonesian).
        """
        if context is None:
            context = self.signing_context(moment=moment) if fetch else self.validation_context(moment=moment)
        validator = CertificateValidator(
            cert_to_asn1(certificate),
            intermediate_certs=[cert_to_asn1(c) for c in extra_certs],
            validation_context=context,
        )
        try:
            asyncio.run(validator.async_validate_usage(set(key_usage)))  # type: ignore[no-untyped-call]
        except RevokedError as e:
            return f"sertifikat telah dicabut oleh penerbitnya: {e}"
        except InsufficientRevinfoError as e:
            return f"status pencabutan sertifikat tidak dapat dipastikan: {e}"
        except PathBuildingError as e:
            return f"rantai sertifikat tidak dikenal: {e}"
        except PathValidationError as e:
            return f"rantai sertifikat tidak dipercaya: {e}"
        except InvalidCertificateError as e:
            # Raised for a self-signed end-entity certificate, before any path is built.
            return f"sertifikat tidak dapat dipercaya: {e}"
        return None


# -- fetching that leaves the instance's own CAs alone --------------------------------------------


def _issued_locally(cert: Any, local_issuer_names: frozenset[bytes]) -> bool:
    # Attribute certificates (never issued here) are passed on to the real fetchers.
    return isinstance(cert, asn1_x509.Certificate) and cert.issuer.dump() in local_issuer_names


class _LocalAwareOCSPFetcher(OCSPFetcher):
    """Fetches OCSP for outside certificates; for local ones there is nothing to fetch."""

    def __init__(self, inner: OCSPFetcher, local_issuer_names: frozenset[bytes]) -> None:
        self._inner = inner
        self._local = local_issuer_names

    async def fetch(self, cert: Any, authority: Authority) -> asn1_ocsp.OCSPResponse:
        if _issued_locally(cert, self._local):
            # The local CRLs decide; certvalidator goes on to them after this.
            raise OCSPFetchError("OCSP CA instansi tidak diambil lewat jaringan; CRL lokal dipakai")
        return await self._inner.fetch(cert, authority)

    def fetched_responses(self) -> Iterable[asn1_ocsp.OCSPResponse]:
        return self._inner.fetched_responses()

    def fetched_responses_for_cert(self, cert: Any) -> Iterable[asn1_ocsp.OCSPResponse]:
        if _issued_locally(cert, self._local):
            return []
        return self._inner.fetched_responses_for_cert(cert)


class _LocalAwareCRLFetcher(CRLFetcher):
    """Fetches CRLs of outside CAs; a local CA's CRLs are already in the context."""

    def __init__(self, inner: CRLFetcher, local_issuer_names: frozenset[bytes]) -> None:
        self._inner = inner
        self._local = local_issuer_names

    async def fetch(self, cert: Any, *, use_deltas: Any = None) -> Iterable[Any]:
        if _issued_locally(cert, self._local):
            return []
        return await self._inner.fetch(cert, use_deltas=use_deltas)

    def fetched_crls(self) -> Iterable[Any]:
        return self._inner.fetched_crls()

    def fetched_crls_for_cert(self, cert: Any) -> Iterable[Any]:
        if _issued_locally(cert, self._local):
            return []
        return self._inner.fetched_crls_for_cert(cert)


class _LocalAwareCertificateFetcher(CertificateFetcher):
    """Follows AIA ``caIssuers`` of outside certificates only."""

    def __init__(self, inner: CertificateFetcher, local_issuer_names: frozenset[bytes]) -> None:
        self._inner = inner
        self._local = local_issuer_names

    async def fetch_cert_issuers(self, cert: Any) -> AsyncGenerator[Any, None]:
        if not _issued_locally(cert, self._local):
            async for issuer in self._inner.fetch_cert_issuers(cert):
                yield issuer

    async def fetch_crl_issuers(self, certificate_list: Any) -> AsyncGenerator[Any, None]:
        if certificate_list.issuer.dump() not in self._local:
            async for issuer in self._inner.fetch_crl_issuers(certificate_list):
                yield issuer

    def fetched_certs(self) -> Iterable[Any]:
        return self._inner.fetched_certs()


class _LocalAwareFetcherBackend(FetcherBackend):
    """A fetcher backend that never asks the instance's own CAs anything over the network."""

    def __init__(self, inner: FetcherBackend, *, local_issuer_names: frozenset[bytes]) -> None:
        self._inner = inner
        self._local = local_issuer_names

    def get_fetchers(self) -> Fetchers:
        inner = self._inner.get_fetchers()
        return Fetchers(
            ocsp_fetcher=_LocalAwareOCSPFetcher(inner.ocsp_fetcher, self._local),
            crl_fetcher=_LocalAwareCRLFetcher(inner.crl_fetcher, self._local),
            cert_fetcher=_LocalAwareCertificateFetcher(inner.cert_fetcher, self._local),
        )

    async def close(self) -> None:
        await self._inner.close()  # type: ignore[no-untyped-call]


# -- loading --------------------------------------------------------------------------------------


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate in ``data``: one DER certificate, or PEM with one or more.

    :raises PkiError: if ``data`` holds no readable certificate.
    """
    try:
        if b"-----BEGIN" in data:
            certs = x509.load_pem_x509_certificates(data)
        else:
            certs = [x509.load_der_x509_certificate(data)]
    except ValueError as e:
        raise PkiError(f"sertifikat tidak dapat dibaca: {e}") from e
    if not certs:
        raise PkiError("berkas tidak berisi sertifikat")
    return certs


def load_trust_anchors(directory: str | Path) -> tuple[x509.Certificate, ...]:
    """The trust anchors in ``directory``: every regular, non-hidden file in it is a certificate
    file (PEM, DER or a PEM bundle), read in name order; subfolders are ignored.

    :raises PkiError: if the folder cannot be read or a file in it is not a certificate file
        (``path`` names it).
    """
    path = Path(directory)
    try:
        entries = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    except OSError as e:
        raise PkiError(f"folder jangkar kepercayaan tidak dapat dibaca: {e}", path=str(path)) from e
    anchors: list[x509.Certificate] = []
    for entry in entries:
        try:
            data = entry.read_bytes()
        except OSError as e:
            raise PkiError(f"tidak dapat dibaca: {e}", path=str(entry)) from e
        try:
            anchors.extend(load_certificates(data))
        except PkiError as e:
            raise PkiError(e.reason, path=str(entry)) from e
    return tuple(anchors)


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
