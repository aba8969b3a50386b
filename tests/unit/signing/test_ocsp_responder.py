"""The instance CA's OCSP responder (RFC 6960): good, revoked, unknown, errors; and pyHanko's validator
accepts its answers in place of the CRL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import ocsp as asn1_ocsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import ocsp
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import RevokedError

from signing._asn1 import cert_to_asn1, crl_to_asn1
from signing.issuing import new_signer, revoke
from signing.pki import OCSP_VALIDITY, DevPki, create_dev_pki, load_dev_pki, respond_to_ocsp_request
from signing.signers import Pkcs12Signer

KEY_PASSPHRASE = b"kunci-uji-ocsp-responder"
OCSP_URL = "https://skp.example.go.id/pki/ocsp"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    return create_dev_pki(
        tmp_path_factory.mktemp("ocsp") / "pki",
        organisation="Pemerintah Kota Uji OCSP",
        key_passphrase=KEY_PASSPHRASE,
        crl_base_url="https://skp.example.go.id/pki",
        ocsp_url=OCSP_URL,
    )


def _signer(pki: DevPki, nip: str = "198001012005011001") -> Pkcs12Signer:
    _p12, signer = new_signer(
        pki,
        nama="Budi Santoso",
        nip=nip,
        jabatan="Analis",
        instansi="Uji",
        passphrase=b"p" * 12,
        kdf_rounds=1000,
    )
    return signer


def _request(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    *,
    algorithm: hashes.HashAlgorithm | None = None,
    nonce: bytes | None = None,
) -> bytes:
    builder = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, algorithm or hashes.SHA1())  # noqa: S303  (what OCSP clients send)
    if nonce is not None:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.build().public_bytes(serialization.Encoding.DER)


def _answer(pki: DevPki, der: bytes, **kwargs: object) -> ocsp.OCSPResponse:
    return ocsp.load_der_ocsp_response(respond_to_ocsp_request(der, pki, **kwargs))  # type: ignore[arg-type]


def _signed_by(response: ocsp.OCSPResponse, ca: x509.Certificate) -> bool:
    key = ca.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    assert response.signature_hash_algorithm is not None
    try:
        key.verify(
            response.signature,
            response.tbs_response_bytes,
            padding.PKCS1v15(),
            response.signature_hash_algorithm,
        )
    except Exception:  # noqa: BLE001  (InvalidSignature: the point of the check)
        return False
    return True


def test_certificates_name_the_responder(pki: DevPki) -> None:
    for cert in (_signer(pki).certificate, pki.seal_cert, pki.tsa_cert, pki.issuing_cert):
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
        assert [d.access_location.value for d in aia] == [OCSP_URL]
    assert load_dev_pki(pki.directory, key_passphrase=KEY_PASSPHRASE).ocsp_url == OCSP_URL


def test_good_signed_by_the_issuing_ca_with_times_and_nonce(pki: DevPki) -> None:
    cert = _signer(pki).certificate
    now = datetime.now(UTC).replace(microsecond=0)
    answer = _answer(pki, _request(cert, pki.issuing_cert, nonce=b"nonce-0123456789"), now=now)
    assert answer.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert answer.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert answer.serial_number == cert.serial_number
    assert answer.this_update_utc == now
    assert answer.next_update_utc == now + OCSP_VALIDITY
    assert (
        answer.responder_key_hash
        == x509.SubjectKeyIdentifier.from_public_key(pki.issuing_cert.public_key()).digest
    )
    assert answer.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == b"nonce-0123456789"
    assert _signed_by(answer, pki.issuing_cert)
    assert not _signed_by(answer, pki.root_cert)


def test_sha256_cert_ids_are_answered(pki: DevPki) -> None:
    cert = _signer(pki).certificate
    answer = _answer(pki, _request(cert, pki.issuing_cert, algorithm=hashes.SHA256()))
    assert answer.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert isinstance(answer.hash_algorithm, hashes.SHA256)


def test_revoked_after_revoke(pki: DevPki) -> None:
    cert = _signer(pki, nip="198001012005011002").certificate
    request = _request(cert, pki.issuing_cert)
    assert _answer(pki, request).certificate_status == ocsp.OCSPCertStatus.GOOD
    revoke(pki, serial_number=cert.serial_number, reason=x509.ReasonFlags.key_compromise)
    # The same in-memory PKI object: the responder reads the revocation list as stored, every time.
    answer = _answer(pki, request)
    assert answer.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert answer.revocation_reason == x509.ReasonFlags.key_compromise
    assert answer.revocation_time_utc is not None
    assert abs(answer.revocation_time_utc - datetime.now(UTC)) < timedelta(minutes=1)


def test_unknown_serial_when_the_ca_did_not_issue_it(pki: DevPki) -> None:
    cert = _signer(pki, nip="198001012005011003").certificate
    request = _request(cert, pki.issuing_cert)
    assert (
        _answer(pki, request, issued=lambda serial: False).certificate_status == ocsp.OCSPCertStatus.UNKNOWN
    )
    assert (
        _answer(pki, request, issued=lambda serial: serial == cert.serial_number).certificate_status
        == ocsp.OCSPCertStatus.GOOD
    )
    # The seal and the TSA are known without being asked about.
    seal = _answer(pki, _request(pki.seal_cert, pki.issuing_cert), issued=lambda serial: False)
    assert seal.certificate_status == ocsp.OCSPCertStatus.GOOD


def test_the_root_answers_for_the_issuing_ca(pki: DevPki) -> None:
    answer = _answer(pki, _request(pki.issuing_cert, pki.root_cert))
    assert answer.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert _signed_by(answer, pki.root_cert)
    # A serial the root never issued, asked about with the root's own CertID hashes.
    root_name_hash, root_key_hash = _cert_id_hashes(pki.root_cert)
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate_by_hash(root_name_hash, root_key_hash, 12345, hashes.SHA256())
        .build()
        .public_bytes(serialization.Encoding.DER)
    )
    assert _answer(pki, request).certificate_status == ocsp.OCSPCertStatus.UNKNOWN


def _cert_id_hashes(ca: x509.Certificate) -> tuple[bytes, bytes]:
    """RFC 6960 issuer name and key hashes (SHA-256) of ``ca``, taken from a request cryptography builds."""
    probe = ocsp.OCSPRequestBuilder().add_certificate(ca, ca, hashes.SHA256()).build()
    return probe.issuer_name_hash, probe.issuer_key_hash


def test_another_cas_certificate_is_unauthorized(pki: DevPki, tmp_path: Path) -> None:
    other = create_dev_pki(tmp_path / "lain", organisation="Instansi Lain", key_passphrase=b"kunci-lain-lain")
    answer = _answer(pki, _request(other.seal_cert, other.issuing_cert))
    assert answer.response_status == ocsp.OCSPResponseStatus.UNAUTHORIZED


@pytest.mark.parametrize(
    "body",
    [b"", b"bukan permintaan OCSP", b"\x30\x03\x02\x01\x00", b"\x30\x82\xff\xff"],
    ids=["empty", "text", "wrong-der", "truncated"],
)
def test_a_malformed_request_gets_malformed_request(pki: DevPki, body: bytes) -> None:
    assert _answer(pki, body).response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def _validate_with_ocsp_only(pki: DevPki, cert: x509.Certificate, response: bytes) -> None:
    """Validate ``cert`` knowing the root's CRL and the OCSP answer, but not the issuing CA's CRL."""
    context = ValidationContext(
        trust_roots=[cert_to_asn1(pki.root_cert)],
        other_certs=[cert_to_asn1(pki.issuing_cert)],
        crls=[crl_to_asn1(pki.root_crl)],
        ocsps=[asn1_ocsp.OCSPResponse.load(response)],
        revocation_mode="require",
    )
    validator = CertificateValidator(cert_to_asn1(cert), validation_context=context)
    asyncio.run(validator.async_validate_usage({"non_repudiation"}))  # type: ignore[no-untyped-call]


def test_pyhanko_accepts_the_answers_in_place_of_the_crl(pki: DevPki) -> None:
    good = _signer(pki, nip="198001012005011004").certificate
    _validate_with_ocsp_only(pki, good, respond_to_ocsp_request(_request(good, pki.issuing_cert), pki))
    bad = _signer(pki, nip="198001012005011005").certificate
    revoke(pki, serial_number=bad.serial_number)
    with pytest.raises(RevokedError):
        _validate_with_ocsp_only(pki, bad, respond_to_ocsp_request(_request(bad, pki.issuing_cert), pki))
