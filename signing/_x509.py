"""X.509 building blocks shared by the dev PKI (:mod:`signing.pki`) and issuing (:mod:`signing.issuing`).

Key generation, the two key-usage profiles, certificate and CRL builders. Nothing here knows
where a PKI is stored or which CA signs what.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    CertificatePublicKeyTypes,
)
from cryptography.x509.oid import AuthorityInformationAccessOID

__all__ = [
    "BACKDATE",
    "CRL_VALIDITY",
    "RSA_KEY_SIZE",
    "Revocation",
    "build_crl",
    "ca_key_usage",
    "certificate_builder",
    "crl_number",
    "issued_certificate_builder",
    "new_rsa_key",
    "signing_key_usage",
]

CRL_VALIDITY = timedelta(days=30)
# Certificates start a little in the past so that clock skew between hosts does not make a
# freshly issued certificate "not yet valid" for a validator.
BACKDATE = timedelta(minutes=5)
RSA_KEY_SIZE = 2048


@dataclass(frozen=True, kw_only=True)
class Revocation:
    """One entry of a CRL."""

    serial_number: int
    revoked_at: datetime
    reason: x509.ReasonFlags | None = None


def new_rsa_key() -> rsa.RSAPrivateKey:
    """A fresh RSA key of :data:`RSA_KEY_SIZE` bits."""
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_SIZE)


def ca_key_usage() -> x509.KeyUsage:
    """Certificate and CRL signing only."""
    return x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def signing_key_usage() -> x509.KeyUsage:
    """Digital signature plus non-repudiation (content commitment)."""
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def certificate_builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: CertificatePublicKeyTypes,
    start: datetime,
    validity: timedelta,
    *,
    backdate: bool = True,
) -> x509.CertificateBuilder:
    """Subject, issuer, key, random serial and validity period (``start`` less :data:`BACKDATE`)."""
    not_before = start - BACKDATE if backdate else start
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + validity)
    )


def issued_certificate_builder(
    subject: x509.Name,
    public_key: CertificatePublicKeyTypes,
    issuer: x509.Certificate,
    start: datetime,
    validity: timedelta,
    *,
    crl_url: str | None,
    ocsp_url: str | None = None,
    backdate: bool = True,
) -> x509.CertificateBuilder:
    """:func:`certificate_builder` for a certificate below ``issuer``, with key identifiers and,
    when ``crl_url`` is given, a CRL distribution point; when ``ocsp_url`` is given, the OCSP
    responder in the authority information access.
    """
    builder = (
        certificate_builder(subject, issuer.subject, public_key, start, validity, backdate=backdate)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(_issuer_public_key(issuer)),
            critical=False,
        )
    )
    if crl_url:
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)]
            ),
            critical=False,
        )
    if ocsp_url:
        builder = builder.add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url)
                    )
                ]
            ),
            critical=False,
        )
    return builder


def build_crl(
    issuer: x509.Certificate,
    key: CertificateIssuerPrivateKeyTypes,
    revocations: Iterable[Revocation],
    *,
    number: int,
    now: datetime,
) -> x509.CertificateRevocationList:
    """A CRL of ``issuer`` listing ``revocations``, valid for :data:`CRL_VALIDITY` from ``now``."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.subject)
        .last_update(now - BACKDATE)
        .next_update(now + CRL_VALIDITY)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(_issuer_public_key(issuer)),
            critical=False,
        )
    )
    for revocation in revocations:
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(revocation.serial_number)
            .revocation_date(revocation.revoked_at)
        )
        if revocation.reason is not None:
            entry = entry.add_extension(x509.CRLReason(revocation.reason), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(key, hashes.SHA256())


def crl_number(crl: x509.CertificateRevocationList) -> int:
    """The CRL's ``CRLNumber``, 0 when it has none."""
    try:
        return crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    except x509.ExtensionNotFound:
        return 0


def _issuer_public_key(issuer: x509.Certificate) -> Any:
    # AuthorityKeyIdentifier wants an issuer key type; the CA keys here are always RSA.
    return issuer.public_key()
