"""Issuing from the instance PKI: signer certificates, their PKCS#12 archives, revocation and CRLs.

:class:`CertificateIssuer` is what the service needs to give a signer a key; :class:`DevCaIssuer`
issues from the dev PKI's issuing CA (:mod:`signing.pki`). :func:`revoke` and
:func:`refresh_crls` republish that CA's CRLs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from signing._x509 import (
    Revocation,
    build_crl,
    crl_number,
    issued_certificate_builder,
    new_rsa_key,
    signing_key_usage,
)
from signing.pki import DevPki, read_revocations, save_crls
from signing.signers import Pkcs12Signer

__all__ = [
    "DEFAULT_KDF_ROUNDS",
    "MIN_PASSPHRASE_BYTES",
    "SIGNER_VALIDITY",
    "CertificateIssuer",
    "DevCaIssuer",
    "IssuedKey",
    "issue_signer_certificate",
    "new_signer",
    "new_signer_p12",
    "refresh_crls",
    "revoke",
]

#: PBKDF2-HMAC-SHA256 iterations for signer PKCS#12 files (OWASP 2023 figure for PBKDF2-SHA256).
#: Opening such a file costs about 0.2 s on the reference machine, once per signing session.
DEFAULT_KDF_ROUNDS = 600_000
#: Shortest passphrase a signer's PKCS#12 may be encrypted with.
MIN_PASSPHRASE_BYTES = 8
SIGNER_VALIDITY = timedelta(days=2 * 365)


# -- issuers --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedKey:
    """A new signer key, certified: the archive to hand over, and the same key ready to sign."""

    p12: bytes
    """PKCS#12 archive (key, certificate, chain) encrypted with the signer's passphrase."""
    signer: Pkcs12Signer
    """The key already parsed, so the first signature need not open :attr:`p12` again."""
    certificate_pem: str
    """The signer's certificate alone, PEM."""


@runtime_checkable
class CertificateIssuer(Protocol):
    """What the service needs to give a civil servant a signing key."""

    def issue(self, *, nama: str, nip: str, jabatan: str, instansi: str, passphrase: bytes) -> IssuedKey:
        """Generate a key, certify it for this person, wrap it under ``passphrase``."""


@dataclass(frozen=True, kw_only=True)
class DevCaIssuer:
    """Issues signer keys from the dev PKI's issuing CA (what :func:`new_signer` does)."""

    pki: DevPki
    """The instance PKI; its issuing CA key signs the certificates."""
    kdf_rounds: int = DEFAULT_KDF_ROUNDS
    """PBKDF2 iterations for each PKCS#12 archive."""

    def issue(self, *, nama: str, nip: str, jabatan: str, instansi: str, passphrase: bytes) -> IssuedKey:
        """A new RSA key with a certificate ``CN=nama, serialNumber=nip, title=jabatan, O=instansi``.

        :param nama: Full name.
        :param nip: Nomor Induk Pegawai.
        :param jabatan: Position.
        :param instansi: Agency.
        :param passphrase: Encrypts the PKCS#12 archive (at least :data:`MIN_PASSPHRASE_BYTES`).
        :raises ValueError: if the passphrase is too short.
        """
        p12, signer = new_signer(
            self.pki,
            nama=nama,
            nip=nip,
            jabatan=jabatan,
            instansi=instansi,
            passphrase=passphrase,
            kdf_rounds=self.kdf_rounds,
        )
        pem = signer.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
        return IssuedKey(p12=p12, signer=signer, certificate_pem=pem)


# -- signer certificates and their archives -------------------------------------------------------


def issue_signer_certificate(
    pki: DevPki,
    *,
    public_key: CertificatePublicKeyTypes,
    nama: str,
    nip: str,
    jabatan: str,
    instansi: str,
    not_before: datetime | None = None,
    validity: timedelta = SIGNER_VALIDITY,
) -> x509.Certificate:
    """Issue a signing certificate for a civil servant from the issuing CA.

    The subject is ``CN=nama, serialNumber=NIP, title=jabatan, O=instansi, C=ID``; key usage is
    non-repudiation (content commitment) plus digital signature, both critical.

    :param pki: The instance PKI.
    :param public_key: The signer's public key.
    :param nama: Full name (``CN``).
    :param nip: Nomor Induk Pegawai, 18 digits (``serialNumber``).
    :param jabatan: Position (``title``).
    :param instansi: Agency (``O``).
    :param not_before: Start of validity; defaults to a few minutes ago. A date in the past
        together with a short ``validity`` yields an expired certificate (for tests).
    :param validity: Length of the validity period.
    """
    start = not_before or datetime.now(UTC)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, instansi),
            x509.NameAttribute(NameOID.TITLE, jabatan),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, nip),
            x509.NameAttribute(NameOID.COMMON_NAME, nama),
        ]
    )
    return (
        issued_certificate_builder(
            subject,
            public_key,
            pki.issuing_cert,
            start,
            validity,
            crl_url=pki.crl_base_url and f"{pki.crl_base_url}/issuing-ca.crl",
            ocsp_url=pki.ocsp_url,
            backdate=not_before is None,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(signing_key_usage(), critical=True)
        .sign(pki.issuing_key, hashes.SHA256())
    )


def new_signer(
    pki: DevPki,
    *,
    nama: str,
    nip: str,
    jabatan: str,
    instansi: str,
    passphrase: bytes,
    kdf_rounds: int = DEFAULT_KDF_ROUNDS,
    not_before: datetime | None = None,
    validity: timedelta = SIGNER_VALIDITY,
) -> tuple[bytes, Pkcs12Signer]:
    """Generate a key pair, certify it; return it as PKCS#12 under the signer's passphrase, and as a
    ready signer (so the first signature need not open the archive it just wrote).

    Key and certificates are encrypted with PBES2 (PBKDF2-HMAC-SHA256 with ``kdf_rounds``
    iterations, AES-256-CBC). The HMAC-SHA256 integrity MAC takes cryptography's fixed 2048
    iterations of the PKCS#12 KDF (cryptography has no setting for it), so a passphrase guess is
    cheaper to check against the MAC than against the key. The passphrase is used here and
    forgotten; nothing about it is stored.

    :param pki: The instance PKI.
    :param nama: Full name.
    :param nip: Nomor Induk Pegawai.
    :param jabatan: Position.
    :param instansi: Agency.
    :param passphrase: The signer's passphrase (at least 8 bytes).
    :param kdf_rounds: PBKDF2 iterations.
    :param not_before: See :func:`issue_signer_certificate`.
    :param validity: See :func:`issue_signer_certificate`.
    :raises ValueError: if the passphrase is shorter than 8 bytes.
    """
    if len(passphrase) < MIN_PASSPHRASE_BYTES:
        raise ValueError(f"passphrase must be at least {MIN_PASSPHRASE_BYTES} bytes")
    key = new_rsa_key()
    cert = issue_signer_certificate(
        pki,
        public_key=key.public_key(),
        nama=nama,
        nip=nip,
        jabatan=jabatan,
        instansi=instansi,
        not_before=not_before,
        validity=validity,
    )
    p12 = _pkcs12(key, cert, pki.chain, friendly_name=nama, passphrase=passphrase, kdf_rounds=kdf_rounds)
    return p12, Pkcs12Signer(private_key=key, certificate=cert, chain=pki.chain)


def new_signer_p12(
    pki: DevPki,
    *,
    nama: str,
    nip: str,
    jabatan: str,
    instansi: str,
    passphrase: bytes,
    kdf_rounds: int = DEFAULT_KDF_ROUNDS,
    not_before: datetime | None = None,
    validity: timedelta = SIGNER_VALIDITY,
) -> bytes:
    """The PKCS#12 of :func:`new_signer` alone (same parameters)."""
    p12, _signer = new_signer(
        pki,
        nama=nama,
        nip=nip,
        jabatan=jabatan,
        instansi=instansi,
        passphrase=passphrase,
        kdf_rounds=kdf_rounds,
        not_before=not_before,
        validity=validity,
    )
    return p12


def _pkcs12(
    key: rsa.RSAPrivateKey,
    cert: x509.Certificate,
    chain: Sequence[x509.Certificate],
    *,
    friendly_name: str,
    passphrase: bytes,
    kdf_rounds: int,
) -> bytes:
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(kdf_rounds)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(passphrase)
    )
    return pkcs12.serialize_key_and_certificates(
        friendly_name.encode("utf-8"), key, cert, list(chain), encryption
    )


# -- revocation -----------------------------------------------------------------------------------


def revoke(pki: DevPki, *, serial_number: int, reason: x509.ReasonFlags | None = None) -> DevPki:
    """Revoke a certificate issued by the issuing CA and republish the CRLs.

    :param pki: The instance PKI.
    :param serial_number: Serial of the certificate to revoke.
    :param reason: CRL reason code.
    :return: The PKI with its new CRLs (also written to disk).
    """
    revocations = read_revocations(pki)
    if not any(r.serial_number == serial_number for r in revocations):
        revocations.append(
            Revocation(serial_number=serial_number, revoked_at=datetime.now(UTC), reason=reason)
        )
    return _republish(pki, revocations)


def refresh_crls(pki: DevPki) -> DevPki:
    """Re-sign both CRLs with a fresh ``nextUpdate`` (run well before the old one passes).

    :param pki: The instance PKI.
    :return: The PKI with its new CRLs (also written to disk).
    """
    return _republish(pki, read_revocations(pki))


def _republish(pki: DevPki, revocations: list[Revocation]) -> DevPki:
    now = datetime.now(UTC)
    number = crl_number(pki.issuing_crl) + 1
    new = replace(
        pki,
        root_crl=build_crl(pki.root_cert, pki.root_key, (), number=number, now=now),
        issuing_crl=build_crl(pki.issuing_cert, pki.issuing_key, revocations, number=number, now=now),
    )
    save_crls(new, revocations=revocations)
    return new
