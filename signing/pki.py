"""The instance PKI for the embedded default: root CA, issuing CA, CRLs, seal and TSA certificates.

Production points at an external CA and TSA; this module gives a development or small-office
instance a real, self-contained hierarchy::

    Root CA ──(root CRL)── Issuing CA ──(issuing CRL)──┬── seal certificate (the instance)
                                                       ├── TSA certificate (RFC 3161)
                                                       └── signer certificates (one per NIP)

This module creates, loads and stores the hierarchy and answers OCSP requests about it
(:func:`respond_to_ocsp_request`, served at ``/pki/ocsp``); :mod:`signing.issuing` issues signer
certificates from it and revokes them. Private keys are stored as encrypted PKCS#8 PEM
(``0600``) and decrypted once, by :func:`load_dev_pki`. Signer keys never touch this directory:
:func:`signing.issuing.new_signer` hands the caller a PKCS#12 encrypted with the signer's own
passphrase.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from signing._asn1 import cert_to_asn1, wrong_passphrase
from signing._x509 import (
    Revocation,
    build_crl,
    ca_key_usage,
    certificate_builder,
    issued_certificate_builder,
    new_rsa_key,
    signing_key_usage,
)
from signing.errors import PkiError, WrongPassphraseError
from signing.signers import Pkcs12Signer
from signing.timestamps import LocalTsa
from signing.trust import TrustStore

__all__ = [
    "OCSP_REQUEST_MIMETYPE",
    "OCSP_RESPONSE_MIMETYPE",
    "OCSP_VALIDITY",
    "DevPki",
    "create_dev_pki",
    "load_dev_pki",
    "read_revocations",
    "respond_to_ocsp_request",
    "save_crls",
]

ROOT_VALIDITY = timedelta(days=20 * 365)
ISSUING_VALIDITY = timedelta(days=10 * 365)
SEAL_VALIDITY = timedelta(days=3 * 365)
TSA_VALIDITY = timedelta(days=5 * 365)

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
    ocsp_url: str | None = None
    """If set, issued certificates name this OCSP responder (:func:`respond_to_ocsp_request`)
    in their authority information access."""

    @property
    def chain(self) -> tuple[x509.Certificate, x509.Certificate]:
        """Issuing CA then root: what a leaf needs to reach the anchor."""
        return (self.issuing_cert, self.root_cert)

    def trust_store(self) -> TrustStore:
        """Trust this PKI's root, know its issuing CA, check both CRLs (and never fetch anything
        for the certificates of either: their CRLs are here).
        """
        return TrustStore(
            roots=(self.root_cert,),
            intermediates=(self.issuing_cert,),
            crls=(self.root_crl, self.issuing_crl),
            local_issuers=(self.root_cert, self.issuing_cert),
        )

    def seal_signer(self) -> Pkcs12Signer:
        """The instance seal as a signer (key already parsed, reused for every signature)."""
        return Pkcs12Signer(private_key=self.seal_key, certificate=self.seal_cert, chain=self.chain)

    def local_tsa(self) -> LocalTsa:
        """The in-process RFC 3161 authority backed by this PKI's TSA key."""
        return LocalTsa(private_key=self.tsa_key, certificate=self.tsa_cert, chain=self.chain)


# -- creation and loading -------------------------------------------------------------------------


def create_dev_pki(
    directory: str | os.PathLike[str],
    *,
    organisation: str,
    key_passphrase: bytes,
    crl_base_url: str | None = None,
    ocsp_url: str | None = None,
    overwrite: bool = False,
) -> DevPki:
    """Create a root CA, an issuing CA, their CRLs, a seal and a TSA certificate in ``directory``.

    :param directory: Where the PEM/CRL files go; created if missing.
    :param organisation: Organisation name (``O``) and prefix of every CA/seal/TSA common name.
    :param key_passphrase: Encrypts every private key at rest (PKCS#8, best available cipher).
    :param crl_base_url: Base URL under which the service publishes ``root-ca.crl`` and
        ``issuing-ca.crl``; written into certificates as CRL distribution point when given.
    :param ocsp_url: Where the service answers OCSP for this PKI (``POST <base>/pki/ocsp``);
        written into certificates' authority information access when given.
    :param overwrite: Replace an existing PKI. Without it an existing one raises.
    :raises PkiError: if a PKI already exists there and ``overwrite`` is false.
    """
    path = Path(directory)
    if not overwrite and (path / _FILES["meta"]).exists():
        raise PkiError("PKI sudah ada; tidak ditimpa", path=str(path))
    path.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    base = _base_name(organisation)

    root_key = new_rsa_key()
    root_name = x509.Name([*base, x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} Root CA")])
    root_cert = (
        certificate_builder(root_name, root_name, root_key.public_key(), now, ROOT_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(ca_key_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )

    issuing_key = new_rsa_key()
    issuing_name = x509.Name([*base, x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} Issuing CA")])
    issuing_cert = (
        issued_certificate_builder(
            issuing_name,
            issuing_key.public_key(),
            root_cert,
            now,
            ISSUING_VALIDITY,
            crl_url=crl_base_url and f"{crl_base_url}/root-ca.crl",
            ocsp_url=ocsp_url,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(ca_key_usage(), critical=True)
        .sign(root_key, hashes.SHA256())
    )

    seal_key = new_rsa_key()
    seal_cert = (
        issued_certificate_builder(
            x509.Name([*base, x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} Segel Elektronik")]),
            seal_key.public_key(),
            issuing_cert,
            now,
            SEAL_VALIDITY,
            crl_url=crl_base_url and f"{crl_base_url}/issuing-ca.crl",
            ocsp_url=ocsp_url,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(signing_key_usage(), critical=True)
        .sign(issuing_key, hashes.SHA256())
    )

    tsa_key = new_rsa_key()
    tsa_cert = (
        issued_certificate_builder(
            x509.Name([*base, x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} TSA")]),
            tsa_key.public_key(),
            issuing_cert,
            now,
            TSA_VALIDITY,
            crl_url=crl_base_url and f"{crl_base_url}/issuing-ca.crl",
            ocsp_url=ocsp_url,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(signing_key_usage(), critical=True)
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
        root_crl=build_crl(root_cert, root_key, (), number=1, now=now),
        issuing_crl=build_crl(issuing_cert, issuing_key, (), number=1, now=now),
        crl_base_url=crl_base_url,
        ocsp_url=ocsp_url,
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
    save_crls(pki, revocations=())
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
        ocsp_url=meta.get("ocsp_url"),
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


# -- storage of revocation state ------------------------------------------------------------------


def save_crls(pki: DevPki, *, revocations: Sequence[Revocation]) -> None:
    """Write ``pki``'s two CRLs and the revocation list behind them to its directory.

    :param pki: The PKI whose ``root_crl`` and ``issuing_crl`` are written.
    :param revocations: Every certificate the issuing CA has revoked (kept in ``pki.json`` so the
        next CRL lists them again).
    """
    _write(pki.directory / _FILES["root_crl"], pki.root_crl.public_bytes(serialization.Encoding.DER))
    _write(
        pki.directory / _FILES["issuing_crl"],
        pki.issuing_crl.public_bytes(serialization.Encoding.DER),
    )
    meta = {
        "organisation": pki.organisation,
        "crl_base_url": pki.crl_base_url,
        "ocsp_url": pki.ocsp_url,
        "revoked": [
            {
                "serial": r.serial_number,
                "at": r.revoked_at.isoformat(),
                "reason": r.reason.value if r.reason else None,
            }
            for r in revocations
        ],
    }
    _write(pki.directory / _FILES["meta"], json.dumps(meta, indent=2).encode("utf-8"))


def read_revocations(pki: DevPki) -> list[Revocation]:
    """The certificates the issuing CA has revoked, as :func:`save_crls` stored them.

    :raises PkiError: if ``pki.json`` cannot be read.
    """
    try:
        meta = json.loads((pki.directory / _FILES["meta"]).read_text(encoding="utf-8"))
        return [
            Revocation(
                serial_number=int(r["serial"]),
                revoked_at=datetime.fromisoformat(r["at"]),
                reason=x509.ReasonFlags(r["reason"]) if r.get("reason") else None,
            )
            for r in meta.get("revoked", [])
        ]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise PkiError(f"pki.json tidak dapat dibaca: {e}", path=str(pki.directory)) from e


# -- helpers --------------------------------------------------------------------------------------


def _base_name(organisation: str) -> list[x509.NameAttribute[str]]:
    return [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
    ]


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


# -- OCSP responder (RFC 6960) --------------------------------------------------------------------

#: How long an OCSP answer of this PKI may be relied on (its ``nextUpdate``).
OCSP_VALIDITY = timedelta(hours=24)
OCSP_REQUEST_MIMETYPE = "application/ocsp-request"
OCSP_RESPONSE_MIMETYPE = "application/ocsp-response"


def respond_to_ocsp_request(
    request: bytes,
    pki: DevPki,
    *,
    issued: Callable[[int], bool] | None = None,
    now: datetime | None = None,
) -> bytes:
    """Answer a DER ``OCSPRequest`` about a certificate of ``pki`` with a DER ``OCSPResponse``.

    The CA that issued the certificate signs the answer itself (no delegated responder
    certificate: one key less to keep, and every validator accepts a CA-signed response). A
    certificate of the issuing CA is ``revoked`` when :func:`read_revocations` lists it, else
    ``good`` (or ``unknown`` when ``issued`` says the CA never issued that serial); the one
    certificate the root issued is the issuing CA's. A request's nonce is echoed.

    Errors are OCSP answers too, as RFC 6960 asks: a request that cannot be parsed (or asks
    about several certificates at once) gets ``malformedRequest``, a certificate of another CA
    ``unauthorized``.

    :param request: The request body.
    :param pki: The instance PKI (its CA keys sign).
    :param issued: Whether the issuing CA issued a serial (signer certificates); ``None``
        answers ``good`` for every serial it has not revoked, like its CRL.
    :param now: The time of the answer (``thisUpdate``/``producedAt``); defaults to now.
    :raises PkiError: if the revocation list cannot be read.
    """
    try:
        req = ocsp.load_der_ocsp_request(request)
        algorithm = req.hash_algorithm
        name_hash, key_hash, serial = req.issuer_name_hash, req.issuer_key_hash, req.serial_number
        nonce = _nonce(req)
    except (ValueError, TypeError, x509.UnsupportedGeneralNameType, UnsupportedAlgorithm):
        return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    if not isinstance(algorithm, hashes.SHA1 | hashes.SHA224 | hashes.SHA256 | hashes.SHA384 | hashes.SHA512):
        return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    at = now or datetime.now(UTC)
    if _cert_id_matches(pki.issuing_cert, algorithm, name_hash, key_hash):
        ca, key = pki.issuing_cert, pki.issuing_key
        revoked = {r.serial_number: r for r in read_revocations(pki)}
        known = serial in (pki.seal_cert.serial_number, pki.tsa_cert.serial_number) or (
            issued is None or issued(serial)
        )
    elif _cert_id_matches(pki.root_cert, algorithm, name_hash, key_hash):
        ca, key = pki.root_cert, pki.root_key
        revoked = {}
        known = serial == pki.issuing_cert.serial_number
    else:
        return _unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)
    revocation = revoked.get(serial)
    if revocation is not None:
        status = ocsp.OCSPCertStatus.REVOKED
    elif known:
        status = ocsp.OCSPCertStatus.GOOD
    else:
        status = ocsp.OCSPCertStatus.UNKNOWN
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response_by_hash(
            issuer_name_hash=name_hash,
            issuer_key_hash=key_hash,
            serial_number=serial,
            algorithm=algorithm,
            cert_status=status,
            this_update=at,
            next_update=at + OCSP_VALIDITY,
            revocation_time=revocation.revoked_at if revocation else None,
            revocation_reason=revocation.reason if revocation else None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, ca)
    )
    if nonce is not None:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _nonce(req: ocsp.OCSPRequest) -> bytes | None:
    try:
        return req.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    except x509.ExtensionNotFound:
        return None


def _cert_id_matches(
    ca: x509.Certificate, algorithm: hashes.HashAlgorithm, name_hash: bytes, key_hash: bytes
) -> bool:
    """Whether an OCSP CertID's issuer hashes (RFC 6960 §4.1.1) are those of ``ca``."""
    spki = cert_to_asn1(ca).public_key
    key_bits = spki["public_key"].contents[1:]  # the BIT STRING's value, without unused-bits byte
    return (
        _digest(algorithm, ca.subject.public_bytes()) == name_hash
        and _digest(algorithm, key_bits) == key_hash
    )


def _digest(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    h = hashes.Hash(algorithm)
    h.update(data)
    return h.finalize()


def _unsuccessful(status: ocsp.OCSPResponseStatus) -> bytes:
    return ocsp.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(serialization.Encoding.DER)
