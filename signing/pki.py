"""The instance PKI for the embedded default: root CA, issuing CA, CRLs, seal and TSA certificates.

Production points at an external CA and TSA; this module gives a development or small-office
instance a real, self-contained hierarchy::

    Root CA ──(root CRL)── Issuing CA ──(issuing CRL)──┬── seal certificate (the instance)
                                                       ├── TSA certificate (RFC 3161)
                                                       └── signer certificates (one per NIP)

Private keys are stored as encrypted PKCS#8 PEM (``0600``) and decrypted once, by
:func:`load_dev_pki`. Signer keys never touch this directory: :func:`new_signer_p12` hands the
caller a PKCS#12 encrypted with the signer's own passphrase.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    CertificatePublicKeyTypes,
)
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko_certvalidator import ValidationContext

from signing._asn1 import cert_to_asn1, crl_to_asn1, wrong_passphrase
from signing.errors import PkiError, WrongPassphraseError

if TYPE_CHECKING:
    from signing.signers import Pkcs12Signer
    from signing.timestamps import LocalTsa

__all__ = [
    "DEFAULT_KDF_ROUNDS",
    "DevPki",
    "TrustStore",
    "create_dev_pki",
    "issue_signer_certificate",
    "load_dev_pki",
    "new_signer",
    "new_signer_p12",
    "refresh_crls",
    "revoke",
]

#: PBKDF2-HMAC-SHA256 iterations for signer PKCS#12 files (OWASP 2023 figure for PBKDF2-SHA256).
#: Opening such a file costs about 0.2 s on the reference machine, once per signing session.
DEFAULT_KDF_ROUNDS = 600_000

ROOT_VALIDITY = timedelta(days=20 * 365)
ISSUING_VALIDITY = timedelta(days=10 * 365)
SEAL_VALIDITY = timedelta(days=3 * 365)
TSA_VALIDITY = timedelta(days=5 * 365)
SIGNER_VALIDITY = timedelta(days=2 * 365)
CRL_VALIDITY = timedelta(days=30)
# Certificates start a little in the past so that clock skew between hosts does not make a
# freshly issued certificate "not yet valid" for a validator.
BACKDATE = timedelta(minutes=5)
RSA_KEY_SIZE = 2048

_FILES = {
    "root_key": "root-ca.key.pem",
    "root_cert": "root-ca.cert.pem",
    "issuing_key": "issuing-ca.key.pem",
    "issuing_cert": "issuing-ca.cert.pem",
    "seal_key": "seal.key.pem",
    "seal_cert": "seal.cert.pem",
    "tsa_key": "tsa.key.pem",
    "tsa_cert": "tsa.cert.pem",
    "root_crl": "root-ca.crl",
    "issuing_crl": "issuing-ca.crl",
    "meta": "pki.json",
}


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
        from pyhanko_certvalidator import CertificateValidator
        from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

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
        return None


@dataclass(frozen=True, kw_only=True)
class DevPki:
    """The instance PKI, with its private keys decrypted in memory (see :func:`load_dev_pki`)."""

    directory: Path
    organisation: str
    root_cert: x509.Certificate
    root_key: rsa.RSAPrivateKey = field(repr=False)
    issuing_cert: x509.Certificate
    issuing_key: rsa.RSAPrivateKey = field(repr=False)
    seal_cert: x509.Certificate
    seal_key: rsa.RSAPrivateKey = field(repr=False)
    tsa_cert: x509.Certificate
    tsa_key: rsa.RSAPrivateKey = field(repr=False)
    root_crl: x509.CertificateRevocationList
    issuing_crl: x509.CertificateRevocationList
    crl_base_url: str | None = None
    """If set, issued certificates name ``<crl_base_url>/<ca>.crl`` as CRL distribution point."""

    @property
    def chain(self) -> tuple[x509.Certificate, x509.Certificate]:
        """Issuing CA then root: what a leaf needs to reach the anchor."""
        return (self.issuing_cert, self.root_cert)

    def trust_store(self) -> TrustStore:
        """Trust this PKI's root, know its issuing CA, check both CRLs."""
        return TrustStore(
            roots=(self.root_cert,),
            intermediates=(self.issuing_cert,),
            crls=(self.root_crl, self.issuing_crl),
        )

    def seal_signer(self) -> Pkcs12Signer:
        """The instance seal as a signer (key already parsed, reused for every signature)."""
        from signing.signers import Pkcs12Signer

        return Pkcs12Signer(private_key=self.seal_key, certificate=self.seal_cert, chain=self.chain)

    def local_tsa(self) -> LocalTsa:
        """The in-process RFC 3161 authority backed by this PKI's TSA key."""
        from signing.timestamps import LocalTsa

        return LocalTsa(private_key=self.tsa_key, certificate=self.tsa_cert, chain=self.chain)


# -- creation and loading -------------------------------------------------------------------------


def create_dev_pki(
    directory: str | os.PathLike[str],
    *,
    organisation: str,
    key_passphrase: bytes,
    crl_base_url: str | None = None,
    overwrite: bool = False,
) -> DevPki:
    """Create a root CA, an issuing CA, their CRLs, a seal and a TSA certificate in ``directory``.

    :param directory: Where the PEM/CRL files go; created if missing.
    :param organisation: Organisation name (``O``) and prefix of every CA/seal/TSA common name.
    :param key_passphrase: Encrypts every private key at rest (PKCS#8, best available cipher).
    :param crl_base_url: Base URL under which the service publishes ``root-ca.crl`` and
        ``issuing-ca.crl``; written into certificates as CRL distribution point when given.
    :param overwrite: Replace an existing PKI. Without it an existing one raises.
    :raises PkiError: if a PKI already exists there and ``overwrite`` is false.
    """
    path = Path(directory)
    if not overwrite and (path / _FILES["meta"]).exists():
        raise PkiError("PKI sudah ada; tidak ditimpa", path=str(path))
    path.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    base = _base_name(organisation)

    root_key = _new_key()
    root_name = x509.Name([*base, x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} Root CA")])
    root_cert = (
        _builder(root_name, root_name, root_key.public_key(), now, ROOT_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )

    issuing_key = _new_key()
    issuing_name = x509.Name([*base, x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} Issuing CA")])
    issuing_cert = (
        _issued(
            issuing_name,
            issuing_key.public_key(),
            root_cert,
            now,
            ISSUING_VALIDITY,
            crl_url=crl_base_url and f"{crl_base_url}/root-ca.crl",
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .sign(root_key, hashes.SHA256())
    )

    seal_key = _new_key()
    seal_cert = (
        _issued(
            x509.Name([*base, x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} Segel Elektronik")]),
            seal_key.public_key(),
            issuing_cert,
            now,
            SEAL_VALIDITY,
            crl_url=crl_base_url and f"{crl_base_url}/issuing-ca.crl",
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_signing_key_usage(), critical=True)
        .sign(issuing_key, hashes.SHA256())
    )

    tsa_key = _new_key()
    tsa_cert = (
        _issued(
            x509.Name([*base, x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} TSA")]),
            tsa_key.public_key(),
            issuing_cert,
            now,
            TSA_VALIDITY,
            crl_url=crl_base_url and f"{crl_base_url}/issuing-ca.crl",
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_signing_key_usage(), critical=True)
        # RFC 3161 §2.3: the TSA certificate carries exactly this EKU, marked critical.
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(issuing_key, hashes.SHA256())
    )

    pki = DevPki(
        directory=path,
        organisation=organisation,
        root_cert=root_cert,
        root_key=root_key,
        issuing_cert=issuing_cert,
        issuing_key=issuing_key,
        seal_cert=seal_cert,
        seal_key=seal_key,
        tsa_cert=tsa_cert,
        tsa_key=tsa_key,
        root_crl=_make_crl(root_cert, root_key, (), number=1, now=now),
        issuing_crl=_make_crl(issuing_cert, issuing_key, (), number=1, now=now),
        crl_base_url=crl_base_url,
    )
    enc = serialization.BestAvailableEncryption(key_passphrase)
    for name in ("root", "issuing", "seal", "tsa"):
        key: rsa.RSAPrivateKey = getattr(pki, f"{name}_key")
        cert: x509.Certificate = getattr(pki, f"{name}_cert")
        _write(
            path / _FILES[f"{name}_key"],
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc),
            mode=0o600,
        )
        _write(path / _FILES[f"{name}_cert"], cert.public_bytes(serialization.Encoding.PEM))
    _write_crls(pki)
    _write_meta(pki, revoked=[])
    return pki


def load_dev_pki(directory: str | os.PathLike[str], *, key_passphrase: bytes) -> DevPki:
    """Load the PKI written by :func:`create_dev_pki`, decrypting its keys once.

    :param directory: The PKI directory.
    :param key_passphrase: The passphrase given at creation.
    :raises PkiError: if a file is missing or unreadable.
    :raises WrongPassphraseError: if the passphrase does not decrypt the keys.
    """
    path = Path(directory)
    try:
        meta = json.loads((path / _FILES["meta"]).read_text(encoding="utf-8"))
        certs = {
            name: x509.load_pem_x509_certificate((path / _FILES[f"{name}_cert"]).read_bytes())
            for name in ("root", "issuing", "seal", "tsa")
        }
        crls = {
            name: x509.load_der_x509_crl((path / _FILES[f"{name}_crl"]).read_bytes())
            for name in ("root", "issuing")
        }
        key_pems = {
            name: (path / _FILES[f"{name}_key"]).read_bytes() for name in ("root", "issuing", "seal", "tsa")
        }
    except (OSError, ValueError, KeyError) as e:
        raise PkiError(f"tidak dapat dibaca: {e}", path=str(path)) from e
    keys: dict[str, rsa.RSAPrivateKey] = {}
    for name, pem in key_pems.items():
        try:
            key = serialization.load_pem_private_key(pem, password=key_passphrase)
        except (ValueError, TypeError) as e:
            if wrong_passphrase(pem, e):
                raise WrongPassphraseError(f"PKI {_FILES[f'{name}_key']}") from e
            raise PkiError(f"kunci {name} rusak: {e}", path=str(path)) from e
        if not isinstance(key, rsa.RSAPrivateKey):
            raise PkiError(f"kunci {name} bukan RSA", path=str(path))
        keys[name] = key
    return DevPki(
        directory=path,
        organisation=str(meta["organisation"]),
        crl_base_url=meta.get("crl_base_url"),
        root_cert=certs["root"],
        root_key=keys["root"],
        issuing_cert=certs["issuing"],
        issuing_key=keys["issuing"],
        seal_cert=certs["seal"],
        seal_key=keys["seal"],
        tsa_cert=certs["tsa"],
        tsa_key=keys["tsa"],
        root_crl=crls["root"],
        issuing_crl=crls["issuing"],
    )


# -- signer certificates --------------------------------------------------------------------------


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
        _issued(
            subject,
            public_key,
            pki.issuing_cert,
            start,
            validity,
            crl_url=pki.crl_base_url and f"{pki.crl_base_url}/issuing-ca.crl",
            backdate=not_before is None,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_signing_key_usage(), critical=True)
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

    The archive uses PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for key and certificates and an
    HMAC-SHA256 MAC, both with ``kdf_rounds`` iterations. The passphrase is used here and
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
    if len(passphrase) < 8:
        raise ValueError("passphrase must be at least 8 bytes")
    key = _new_key()
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
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(kdf_rounds)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(passphrase)
    )
    from signing.signers import Pkcs12Signer

    p12 = pkcs12.serialize_key_and_certificates(nama.encode("utf-8"), key, cert, list(pki.chain), encryption)
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


# -- revocation -----------------------------------------------------------------------------------


def revoke(pki: DevPki, *, serial_number: int, reason: x509.ReasonFlags | None = None) -> DevPki:
    """Revoke a certificate issued by the issuing CA and republish the CRLs.

    :param pki: The instance PKI.
    :param serial_number: Serial of the certificate to revoke.
    :param reason: CRL reason code.
    :return: The PKI with its new CRLs (also written to disk).
    """
    revoked = _read_revoked(pki)
    if not any(r["serial"] == serial_number for r in revoked):
        revoked.append(
            {
                "serial": serial_number,
                "at": datetime.now(UTC).isoformat(),
                "reason": reason.value if reason else None,
            }
        )
    return _republish(pki, revoked)


def refresh_crls(pki: DevPki) -> DevPki:
    """Re-sign both CRLs with a fresh ``nextUpdate`` (run well before the old one passes).

    :param pki: The instance PKI.
    :return: The PKI with its new CRLs (also written to disk).
    """
    return _republish(pki, _read_revoked(pki))


def _republish(pki: DevPki, revoked: list[dict[str, Any]]) -> DevPki:
    now = datetime.now(UTC)
    entries = [
        (
            int(r["serial"]),
            datetime.fromisoformat(r["at"]),
            x509.ReasonFlags(r["reason"]) if r.get("reason") else None,
        )
        for r in revoked
    ]
    number = _crl_number(pki.issuing_crl) + 1
    new = replace(
        pki,
        root_crl=_make_crl(pki.root_cert, pki.root_key, (), number=number, now=now),
        issuing_crl=_make_crl(pki.issuing_cert, pki.issuing_key, entries, number=number, now=now),
    )
    _write_crls(new)
    _write_meta(new, revoked=revoked)
    return new


# -- helpers --------------------------------------------------------------------------------------


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_SIZE)


def _base_name(organisation: str) -> list[x509.NameAttribute[str]]:
    return [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
    ]


def _ca_key_usage() -> x509.KeyUsage:
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


def _signing_key_usage() -> x509.KeyUsage:
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


def _builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: CertificatePublicKeyTypes,
    start: datetime,
    validity: timedelta,
    *,
    backdate: bool = True,
) -> x509.CertificateBuilder:
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


def _issued(
    subject: x509.Name,
    public_key: CertificatePublicKeyTypes,
    issuer: x509.Certificate,
    start: datetime,
    validity: timedelta,
    *,
    crl_url: str | None,
    backdate: bool = True,
) -> x509.CertificateBuilder:
    builder = (
        _builder(subject, issuer.subject, public_key, start, validity, backdate=backdate)
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
    return builder


def _issuer_public_key(issuer: x509.Certificate) -> Any:
    # AuthorityKeyIdentifier wants an issuer key type; the CA keys here are always RSA.
    return issuer.public_key()


def _make_crl(
    issuer: x509.Certificate,
    key: CertificateIssuerPrivateKeyTypes,
    revoked: Iterable[tuple[int, datetime, x509.ReasonFlags | None]],
    *,
    number: int,
    now: datetime,
) -> x509.CertificateRevocationList:
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
    for serial, at, reason in revoked:
        entry = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(at)
        if reason is not None:
            entry = entry.add_extension(x509.CRLReason(reason), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(key, hashes.SHA256())


def _crl_number(crl: x509.CertificateRevocationList) -> int:
    try:
        return crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    except x509.ExtensionNotFound:
        return 0


def _write(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    # Temp file + rename: a crash never leaves a half-written key or CRL behind.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_crls(pki: DevPki) -> None:
    _write(pki.directory / _FILES["root_crl"], pki.root_crl.public_bytes(serialization.Encoding.DER))
    _write(
        pki.directory / _FILES["issuing_crl"],
        pki.issuing_crl.public_bytes(serialization.Encoding.DER),
    )


def _write_meta(pki: DevPki, *, revoked: list[dict[str, Any]]) -> None:
    meta = {"organisation": pki.organisation, "crl_base_url": pki.crl_base_url, "revoked": revoked}
    _write(pki.directory / _FILES["meta"], json.dumps(meta, indent=2).encode("utf-8"))


def _read_revoked(pki: DevPki) -> list[dict[str, Any]]:
    try:
        meta = json.loads((pki.directory / _FILES["meta"]).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise PkiError(f"pki.json tidak dapat dibaca: {e}", path=str(pki.directory)) from e
    return list(meta.get("revoked", []))


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
