"""Signers: who holds the private key, and how a signature value is produced with it.

:class:`DocumentSigner` is all :mod:`signing.pdf` needs. Implementations are named by mechanism:

* :class:`Pkcs12Signer` — key material in memory, from a ``.p12`` or from PEM (the instance seal);
* :class:`Pkcs11Signer` — key in a hardware token or HSM, reached through a PKCS#11 module
  (one :class:`Pkcs11Session` per token, shared by its keys).

pyHanko 0.38's :class:`~pyhanko.sign.signers.pdf_cms.SimpleSigner` re-parses its private key
from DER on every ``sign_raw`` call (about 30 ms of RSA key validation, twice per signature with
the size-estimate dry run, against 0.3 ms for the RSA operation itself). :class:`Pkcs12Signer`
parses it once and keeps the ``cryptography`` key object.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from asn1crypto import core as asn1_core
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session
from pyhanko.sign.signers.pdf_cms import Signer, SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash, process_pss_params

from signing._asn1 import cert_from_asn1, cert_to_asn1, key_to_asn1, wrong_passphrase
from signing.errors import (
    CertificateNotYetValidError,
    ExpiredCertificateError,
    InvalidKeyFileError,
    KeyMismatchError,
    TokenError,
    WrongPassphraseError,
)
from signing.trust import TrustStore

__all__ = [
    "DocumentSigner",
    "P12Inspection",
    "Pkcs11Session",
    "Pkcs11Signer",
    "Pkcs12Signer",
    "inspect_p12",
    "subject_id_digits",
    "subject_nama",
    "subject_nip",
]


@runtime_checkable
class DocumentSigner(Protocol):
    """What the signing functions need from a signer."""

    @property
    def pyhanko_signer(self) -> Signer:
        """The pyHanko signer that produces the CMS signature value."""

    @property
    def certificate(self) -> x509.Certificate:
        """The signing certificate."""


class _ParsedKeySigner(SimpleSigner):
    """A :class:`SimpleSigner` that signs with a key object parsed once (pitfall P9)."""

    def __init__(
        self,
        *,
        private_key: PrivateKeyTypes,
        signing_cert: Any,
        cert_registry: SimpleCertificateStore,
    ) -> None:
        super().__init__(
            signing_cert=signing_cert,
            signing_key=key_to_asn1(private_key),
            cert_registry=cert_registry,
        )
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            algo = mechanism.signature_algo
        except ValueError:
            algo = mechanism["algorithm"].native
        key = self._private_key
        if algo == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        if algo == "rsassa_pss" and isinstance(key, rsa.RSAPrivateKey):
            pss, hash_algo = process_pss_params(mechanism["parameters"])
            return key.sign(data, pss, hash_algo)
        if algo == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        if algo == "ed25519" and isinstance(key, ed25519.Ed25519PrivateKey):
            return key.sign(data)
        # Anything rarer: pyHanko's own path (slower, but correct).
        result: bytes = super().sign_raw(data, digest_algorithm)
        return result


class Pkcs12Signer:
    """A signer whose key is in memory: loaded from a ``.p12``, or from PEM for the seal.

    :param private_key: The parsed private key (kept and reused for every signature).
    :param certificate: The matching certificate.
    :param chain: Intermediate (and optionally root) certificates to embed.
    :raises KeyMismatchError: if the key does not belong to the certificate.
    """

    def __init__(
        self,
        *,
        private_key: PrivateKeyTypes,
        certificate: x509.Certificate,
        chain: Sequence[x509.Certificate] = (),
    ) -> None:
        if not _key_matches(private_key, certificate):
            raise KeyMismatchError(certificate.subject.rfc4514_string())
        self._certificate = certificate
        self._chain = tuple(chain)
        registry = SimpleCertificateStore()  # type: ignore[no-untyped-call]
        registry.register_multiple([cert_to_asn1(c) for c in self._chain])
        self._signer = _ParsedKeySigner(
            private_key=private_key,
            signing_cert=cert_to_asn1(certificate),
            cert_registry=registry,
        )

    @classmethod
    def load(
        cls,
        p12_bytes: bytes,
        passphrase: bytes,
        *,
        chain: Sequence[x509.Certificate] = (),
        at: datetime | None = None,
    ) -> Pkcs12Signer:
        """Open a ``.p12``, check its certificate's validity period, keep the key parsed.

        :param p12_bytes: The PKCS#12 archive.
        :param passphrase: Its passphrase.
        :param chain: Extra chain certificates (added to those inside the archive).
        :param at: Check validity at this time instead of now.
        :raises WrongPassphraseError: if the passphrase does not open a well-formed archive.
        :raises InvalidKeyFileError: if the bytes are not a PKCS#12 archive, or hold no key or
            no certificate.
        :raises KeyMismatchError: if key and certificate do not match.
        :raises ExpiredCertificateError: if the certificate has expired.
        :raises CertificateNotYetValidError: if the certificate is not valid yet.
        """
        key, cert, extra = _open_p12(p12_bytes, passphrase)
        _check_validity(cert, at or datetime.now(UTC))
        return cls(private_key=key, certificate=cert, chain=(*extra, *chain))

    @classmethod
    def from_pem(
        cls,
        key_pem: bytes,
        cert_pem: bytes,
        *,
        key_passphrase: bytes | None,
        chain: Sequence[x509.Certificate] = (),
    ) -> Pkcs12Signer:
        """Load a PEM key and certificate (how the instance seal is stored).

        :param key_pem: The (optionally encrypted) PKCS#8 private key.
        :param cert_pem: The certificate.
        :param key_passphrase: Passphrase of the key, or ``None`` if it is not encrypted.
        :param chain: Chain certificates to embed.
        :raises WrongPassphraseError: if the passphrase is wrong.
        :raises InvalidKeyFileError: if key or certificate cannot be parsed.
        :raises KeyMismatchError: if key and certificate do not match.
        """
        try:
            key = serialization.load_pem_private_key(key_pem, password=key_passphrase)
        except (ValueError, TypeError) as e:
            if key_passphrase is not None and wrong_passphrase(key_pem, e):
                raise WrongPassphraseError("PEM") from e
            raise InvalidKeyFileError(str(e)) from e
        try:
            cert = x509.load_pem_x509_certificate(cert_pem)
        except ValueError as e:
            raise InvalidKeyFileError(f"sertifikat: {e}") from e
        return cls(private_key=key, certificate=cert, chain=chain)

    @property
    def pyhanko_signer(self) -> Signer:
        """The pyHanko signer (a :class:`SimpleSigner` that reuses the parsed key)."""
        return self._signer

    @property
    def certificate(self) -> x509.Certificate:
        """The signing certificate."""
        return self._certificate

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        """The chain certificates embedded with each signature."""
        return self._chain


class Pkcs11Session:
    """A logged-in session on a PKCS#11 token, opened once and shared by its key signers.

    PKCS#11 login state belongs to the application, not the session: a second login to the
    same token from this process fails with ``UserAlreadyLoggedIn``. So open one session per
    token and take each key's signer from it with :meth:`signer`.

    :param module_path: Path of the PKCS#11 module, e.g. ``/usr/lib/softhsm/libsofthsm2.so``.
    :param token_label: Label of the token to use.
    :param user_pin: The user PIN.
    :raises TokenError: if the module or token cannot be found or the login fails.
    """

    def __init__(self, *, module_path: str, token_label: str, user_pin: str) -> None:
        self.module_path = module_path
        self.token_label = token_label
        try:
            self._session = open_pkcs11_session(
                module_path, token_criteria=TokenCriteria(label=token_label), user_pin=user_pin
            )
        except Exception as e:  # python-pkcs11 raises many unrelated classes
            raise TokenError(f"sesi tidak dapat dibuka: {type(e).__name__} {e}", module=module_path) from e

    def signer(
        self,
        *,
        key_label: str | None = None,
        cert_label: str | None = None,
        key_id: bytes | None = None,
        chain: Sequence[x509.Certificate] = (),
    ) -> Pkcs11Signer:
        """A signer for one key on this token.

        :param key_label: Label of the private key (defaults to ``cert_label``).
        :param cert_label: Label of the certificate object (defaults to ``key_label``).
        :param key_id: CKA_ID of key and certificate, instead of labels.
        :param chain: Chain certificates to embed (tokens often hold only the leaf).
        :raises TokenError: if the key or certificate is not on the token.
        """
        return Pkcs11Signer(
            session=self, key_label=key_label, cert_label=cert_label, key_id=key_id, chain=chain
        )

    @property
    def pkcs11_session(self) -> Any:
        """The underlying ``pkcs11.Session``."""
        return self._session

    def close(self) -> None:
        """Log out and close the session."""
        self._session.close()

    def __enter__(self) -> Pkcs11Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Pkcs11Signer:
    """A signer whose key stays in a PKCS#11 token (smart card, HSM, SoftHSM2).

    Signs through the session of a :class:`Pkcs11Session` (opened and logged in once); the key
    handle and certificate are looked up here, once, so a missing object fails now rather than
    in the middle of writing a PDF revision.

    :param session: The open token session.
    :param key_label: Label of the private key (defaults to ``cert_label``).
    :param cert_label: Label of the certificate object (defaults to ``key_label``).
    :param key_id: CKA_ID of key and certificate, instead of labels.
    :param chain: Chain certificates to embed.
    :raises TokenError: if the key or certificate is not on the token.
    """

    def __init__(
        self,
        *,
        session: Pkcs11Session,
        key_label: str | None = None,
        cert_label: str | None = None,
        key_id: bytes | None = None,
        chain: Sequence[x509.Certificate] = (),
    ) -> None:
        self.session = session
        try:
            self._signer = PKCS11Signer(
                session.pkcs11_session,
                key_label=key_label,
                cert_label=cert_label,
                key_id=key_id,
                cert_id=key_id,
                ca_chain=[cert_to_asn1(c) for c in chain],
            )
            self._signer._load_objects()  # type: ignore[no-untyped-call]
            self._certificate = cert_from_asn1(self._signer.signing_cert)
        except Exception as e:  # python-pkcs11/pyHanko raise many unrelated classes
            raise TokenError(
                f"objek kunci/sertifikat: {type(e).__name__} {e}", module=session.module_path
            ) from e

    @property
    def pyhanko_signer(self) -> Signer:
        """The pyHanko PKCS#11 signer bound to the open session."""
        return self._signer

    @property
    def certificate(self) -> x509.Certificate:
        """The signing certificate read from the token."""
        return self._certificate


# -- inspecting an uploaded .p12 ------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class P12Inspection:
    """What :func:`inspect_p12` found in an uploaded ``.p12``."""

    subject: str
    """Subject DN (RFC 4514)."""
    nama: str | None
    """Common name."""
    nip: str | None
    """Subject serialNumber (NIP), if present."""
    not_before: datetime
    not_after: datetime
    key_matches_certificate: bool
    expired: bool
    not_yet_valid: bool
    chain_trusted: bool | None
    """``True``/``False`` against the trust store given; ``None`` when none was given."""
    chain_problem: str | None
    """Why the chain is not trusted, if it is not."""

    @property
    def usable(self) -> bool:
        """Key matches, certificate currently valid and (if checked) chain trusted."""
        return (
            self.key_matches_certificate
            and not self.expired
            and not self.not_yet_valid
            and self.chain_trusted is not False
        )


def inspect_p12(
    p12_bytes: bytes,
    passphrase: bytes,
    *,
    trust: TrustStore | None = None,
    at: datetime | None = None,
    fetch: bool = True,
) -> P12Inspection:
    """Check an uploaded ``.p12``: key matches certificate, validity period, chain of trust.

    Unlike :meth:`Pkcs12Signer.load`, problems with the certificate are reported, not raised,
    so the caller can show all of them at once.

    :param p12_bytes: The PKCS#12 archive.
    :param passphrase: Its passphrase.
    :param trust: Validate the chain (with revocation) against this trust store.
    :param at: Check as of this time instead of now.
    :param fetch: Fetch the revocation status of an outside CA's certificate from its OCSP
        responder or CRL (:meth:`TrustStore.signing_context`), so a revoked one is refused now;
        the instance CA's own are checked against its local CRLs either way.
    :raises WrongPassphraseError: if the passphrase does not open a well-formed archive.
    :raises InvalidKeyFileError: if the bytes are not a PKCS#12 archive with key and certificate.
    """
    key, cert, extra = _open_p12(p12_bytes, passphrase)
    now = at or datetime.now(UTC)
    trusted: bool | None = None
    problem: str | None = None
    if trust is not None:
        problem = trust.check_certificate(cert, extra_certs=extra, moment=at, fetch=fetch)
        trusted = problem is None
    return P12Inspection(
        subject=cert.subject.rfc4514_string(),
        nama=subject_nama(cert),
        nip=subject_nip(cert),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key_matches_certificate=_key_matches(key, cert),
        expired=now > cert.not_valid_after_utc,
        not_yet_valid=now < cert.not_valid_before_utc,
        chain_trusted=trusted,
        chain_problem=problem,
    )


def subject_nama(cert: x509.Certificate) -> str | None:
    """The subject common name of ``cert``."""
    return _attr(cert, NameOID.COMMON_NAME)


def subject_nip(cert: x509.Certificate) -> str | None:
    """The subject serialNumber (where this package puts the NIP) of ``cert``."""
    return _attr(cert, NameOID.SERIAL_NUMBER)


def subject_id_digits(cert: x509.Certificate) -> str | None:
    """The digits of the subject serialNumber (``NIK:3578…`` → ``3578…``): the NIP or NIK, however a
    CA prefixes it; ``None`` when there are none.
    """
    digits = "".join(ch for ch in subject_nip(cert) or "" if ch.isascii() and ch.isdigit())
    return digits or None


def _attr(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str | None:
    values = cert.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else None


def _open_p12(
    p12_bytes: bytes, passphrase: bytes
) -> tuple[PrivateKeyTypes, x509.Certificate, list[x509.Certificate]]:
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(p12_bytes, passphrase)
    except ValueError as e:
        # cryptography says "Invalid password or PKCS12 data" for both; a file that is not even
        # well-formed DER is corrupted, a well-formed one that fails the MAC had the wrong
        # passphrase (or a flipped byte inside the encrypted payload: indistinguishable).
        if _is_der_sequence(p12_bytes):
            raise WrongPassphraseError() from e
        raise InvalidKeyFileError("bukan arsip PKCS#12 yang utuh") from e
    if key is None:
        raise InvalidKeyFileError("arsip tidak berisi kunci privat")
    if cert is None:
        raise InvalidKeyFileError("arsip tidak berisi sertifikat")
    return key, cert, list(extra)


def _is_der_sequence(data: bytes) -> bool:
    try:
        value = asn1_core.load(data, strict=True)
    except (ValueError, TypeError):
        return False
    return isinstance(value, asn1_core.Sequence)


def _check_validity(cert: x509.Certificate, at: datetime) -> None:
    subject = cert.subject.rfc4514_string()
    if at > cert.not_valid_after_utc:
        raise ExpiredCertificateError(subject=subject, not_after=cert.not_valid_after_utc, at=at)
    if at < cert.not_valid_before_utc:
        raise CertificateNotYetValidError(subject=subject, not_before=cert.not_valid_before_utc, at=at)


def _key_matches(key: PrivateKeyTypes, cert: x509.Certificate) -> bool:
    der = serialization.Encoding.DER
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    try:
        return key.public_key().public_bytes(der, spki) == cert.public_key().public_bytes(der, spki)
    except (AttributeError, ValueError):
        return False
