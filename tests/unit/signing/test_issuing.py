"""The certificate issuer: a key issued by :class:`DevCaIssuer` signs, validates and names its NIP."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest
from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509

from signing.issuing import CertificateIssuer, DevCaIssuer, IssuedKey
from signing.pdf import StampInfo, approve
from signing.pki import DevPki
from signing.signers import Pkcs12Signer, inspect_p12, subject_nama, subject_nip
from signing.timestamps import LocalTsa
from signing.trust import TrustStore
from signing.validation import validate
from tests.unit.signing.conftest import SIGNER_PASSPHRASE, TEST_KDF_ROUNDS, WIB
from tests.unit.signing.support import PERAN_LABEL

NAMA = "Rina Kartika, S.Kom."
NIP = "199204182019032007"


@pytest.fixture(scope="module")
def issuer(pki: DevPki) -> DevCaIssuer:
    return DevCaIssuer(pki=pki, kdf_rounds=TEST_KDF_ROUNDS)


@pytest.fixture(scope="module")
def issued(issuer: DevCaIssuer) -> IssuedKey:
    return issuer.issue(
        nama=NAMA,
        nip=NIP,
        jabatan="Pranata Komputer Ahli Pertama",
        instansi="Pemerintah Kabupaten Contoh",
        passphrase=SIGNER_PASSPHRASE,
    )


def test_issued_key_signs_validates_and_carries_the_nip(
    *, issued: IssuedKey, sealed_pdf: bytes, tsa: LocalTsa, trust: TrustStore
) -> None:
    stamp = StampInfo(
        nama=NAMA,
        nip=NIP,
        peran_label=PERAN_LABEL["pegawai"],
        waktu=datetime.now(WIB),
        verify_url="https://skp.example.go.id/v/ABCD-1234",
    )
    pdf = approve(
        sealed_pdf, field_name="ttd_pegawai", signer=issued.signer, timestamper=tsa, trust=trust, stamp=stamp
    )
    report = validate(pdf, trust)
    assert report.ok, report.as_dict()
    approval = report.signature("ttd_pegawai")
    assert (approval.signer_name, approval.signer_nip) == (NAMA, NIP)
    assert approval.trusted


def test_the_three_forms_are_one_key_and_certificate(
    issued: IssuedKey, pki: DevPki, trust: TrustStore
) -> None:
    certificate = x509.load_pem_x509_certificate(issued.certificate_pem.encode("ascii"))
    assert certificate == issued.signer.certificate
    assert subject_nip(certificate) == NIP
    assert subject_nama(certificate) == NAMA
    assert certificate.issuer == pki.issuing_cert.subject
    reopened = Pkcs12Signer.load(issued.p12, SIGNER_PASSPHRASE)
    assert reopened.certificate == certificate
    assert reopened.chain == pki.chain
    inspection = inspect_p12(issued.p12, SIGNER_PASSPHRASE, trust=trust)
    assert inspection.usable
    assert inspection.nip == NIP


def test_issuer_is_a_certificate_issuer_and_its_result_is_frozen(
    issuer: DevCaIssuer, issued: IssuedKey
) -> None:
    assert isinstance(issuer, CertificateIssuer)
    with pytest.raises(dataclasses.FrozenInstanceError):
        issued.p12 = b""  # type: ignore[misc]
    with pytest.raises(TypeError):
        DevCaIssuer(issuer.pki)  # type: ignore[call-arg]  # keyword-only


def test_every_issue_is_a_new_key(issuer: DevCaIssuer, issued: IssuedKey) -> None:
    again = issuer.issue(
        nama=NAMA,
        nip=NIP,
        jabatan="Pranata Komputer Ahli Pertama",
        instansi="Pemerintah Kabupaten Contoh",
        passphrase=SIGNER_PASSPHRASE,
    )
    assert again.signer.certificate.serial_number != issued.signer.certificate.serial_number
    assert again.signer.certificate.public_key() != issued.signer.certificate.public_key()


def test_short_passphrase_is_refused(issuer: DevCaIssuer) -> None:
    with pytest.raises(ValueError, match="at least 8 bytes"):
        issuer.issue(nama=NAMA, nip=NIP, jabatan="-", instansi="-", passphrase=b"pendek")


def test_kdf_rounds_reach_the_archive(pki: DevPki) -> None:
    # PBKDF2 iterations of the shrouded key bag are what the issuer was told.
    key = DevCaIssuer(pki=pki, kdf_rounds=TEST_KDF_ROUNDS + 1).issue(
        nama=NAMA, nip=NIP, jabatan="-", instansi="-", passphrase=SIGNER_PASSPHRASE
    )
    assert _key_bag_iterations(key.p12) == [TEST_KDF_ROUNDS + 1]


def _key_bag_iterations(p12: bytes) -> list[int]:
    counts = []
    for content in asn1_pkcs12.Pfx.load(p12).authenticated_safe:
        if content["content_type"].native != "data":
            continue
        for bag in asn1_pkcs12.SafeContents.load(content["content"].native):
            if bag["bag_id"].native == "pkcs8_shrouded_key_bag":
                algorithm = bag["bag_value"]["encryption_algorithm"]
                assert algorithm["algorithm"].native == "pbes2"
                kdf = algorithm["parameters"]["key_derivation_func"]
                counts.append(kdf["parameters"]["iteration_count"].native)
    return counts
