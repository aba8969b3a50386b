"""Conversions from ``cryptography`` objects (the public API) to ``asn1crypto`` (what pyHanko takes)."""

from __future__ import annotations

from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

__all__ = ["cert_from_asn1", "cert_to_asn1", "crl_to_asn1", "key_to_asn1", "wrong_passphrase"]


def cert_to_asn1(cert: x509.Certificate) -> Any:
    """An ``asn1crypto.x509.Certificate`` for ``cert``."""
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def cert_from_asn1(cert: Any) -> x509.Certificate:
    """A ``cryptography`` certificate for an ``asn1crypto`` one."""
    return x509.load_der_x509_certificate(cert.dump())


def crl_to_asn1(crl: x509.CertificateRevocationList) -> Any:
    """An ``asn1crypto.crl.CertificateList`` for ``crl``."""
    return asn1_crl.CertificateList.load(crl.public_bytes(serialization.Encoding.DER))


def key_to_asn1(key: PrivateKeyTypes) -> Any:
    """An ``asn1crypto.keys.PrivateKeyInfo`` (unencrypted PKCS#8) for ``key``."""
    return asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def wrong_passphrase(pem: bytes, error: Exception) -> bool:
    """Whether a PEM key that failed to load failed for its passphrase.

    A wrong passphrase usually fails the padding check, but about 1 in 256 times the garbage it
    decrypts to has valid padding and fails as ASN.1 instead: an encrypted key that does not open
    is a wrong passphrase (or a damaged file) either way.
    """
    return b"ENCRYPTED" in pem or "password" in str(error).lower()
