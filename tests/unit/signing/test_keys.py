"""Dev PKI, signer key files (.p12) and the bad inputs they can come with."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from signing.errors import (
    ExpiredCertificateError,
    InvalidKeyFileError,
    KeyMismatchError,
    PkiError,
    WrongPassphraseError,
)
from signing.issuing import DEFAULT_KDF_ROUNDS, issue_signer_certificate, new_signer_p12, revoke
from signing.pki import DevPki, create_dev_pki, load_dev_pki
from signing.signers import Pkcs12Signer, inspect_p12
from signing.trust import TrustStore
from tests.unit.signing.conftest import PKI_PASSPHRASE, SIGNER_PASSPHRASE, TEST_KDF_ROUNDS, Person


def _p12(pki: DevPki, **overrides: object) -> bytes:
    args: dict[str, object] = {
        "nama": "Agus Salim",
        "nip": "198507232010011004",
        "jabatan": "Pranata Komputer",
        "instansi": "Pemerintah Kabupaten Contoh",
        "passphrase": SIGNER_PASSPHRASE,
        "kdf_rounds": TEST_KDF_ROUNDS,
    }
    args.update(overrides)
    return new_signer_p12(pki, **args)  # type: ignore[arg-type]


# -- PKI ------------------------------------------------------------------------------------------


def test_pki_round_trips_with_keys_encrypted_at_rest(pki: DevPki) -> None:
    for name in ("root-ca", "issuing-ca", "seal", "tsa"):
        key_file = pki.directory / f"{name}.key.pem"
        assert key_file.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    loaded = load_dev_pki(pki.directory, key_passphrase=PKI_PASSPHRASE)
    assert loaded.root_cert == pki.root_cert
    assert loaded.seal_cert == pki.seal_cert
    assert loaded.tsa_key.private_numbers() == pki.tsa_key.private_numbers()
    assert loaded.issuing_crl == pki.issuing_crl


def test_load_with_wrong_passphrase_fails(pki: DevPki) -> None:
    with pytest.raises(WrongPassphraseError):
        load_dev_pki(pki.directory, key_passphrase=b"bukan-ini")


def test_load_of_missing_pki_fails(tmp_path: Path) -> None:
    with pytest.raises(PkiError):
        load_dev_pki(tmp_path, key_passphrase=PKI_PASSPHRASE)


def test_existing_pki_is_not_overwritten(pki: DevPki) -> None:
    with pytest.raises(PkiError):
        create_dev_pki(pki.directory, organisation="Lain", key_passphrase=PKI_PASSPHRASE)


def test_certificate_profiles(pki: DevPki) -> None:
    tsa_eku = pki.tsa_cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert tsa_eku.critical
    assert list(tsa_eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    seal_ku = pki.seal_cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert seal_ku.digital_signature
    assert seal_ku.content_commitment
    assert pki.root_crl.issuer == pki.root_cert.subject
    assert pki.issuing_crl.issuer == pki.issuing_cert.subject
    assert pki.issuing_cert.issuer == pki.root_cert.subject


def test_signer_certificate_carries_nip_jabatan_instansi(pki: DevPki) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = issue_signer_certificate(
        pki,
        public_key=key.public_key(),
        nama="Agus Salim",
        nip="198507232010011004",
        jabatan="Pranata Komputer",
        instansi="Dinas Kominfo",
    )
    subject = cert.subject
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "198507232010011004"
    assert subject.get_attributes_for_oid(NameOID.TITLE)[0].value == "Pranata Komputer"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Dinas Kominfo"
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert ku.critical
    assert ku.value.content_commitment
    assert cert.issuer == pki.issuing_cert.subject
    assert pki.trust_store().check_certificate(cert) is None


def test_revoked_certificate_is_no_longer_trusted(pki: DevPki, tmp_path: Path) -> None:
    # A private copy: revoking rewrites the session PKI's CRLs otherwise.
    own = create_dev_pki(tmp_path / "pki", organisation="Revocation Test", key_passphrase=PKI_PASSPHRASE)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = issue_signer_certificate(
        own, public_key=key.public_key(), nama="X", nip="1", jabatan="J", instansi="I"
    )
    assert own.trust_store().check_certificate(cert) is None
    revoked = revoke(own, serial_number=cert.serial_number)
    problem = revoked.trust_store().check_certificate(cert)
    assert problem is not None
    assert "revoked" in problem.lower()
    # The new CRL is on disk, so a reload sees it too.
    reloaded = load_dev_pki(own.directory, key_passphrase=PKI_PASSPHRASE)
    assert reloaded.issuing_crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None


# -- PKCS#12 --------------------------------------------------------------------------------------


PBES2_OID = bytes.fromhex("06092a864886f70d01050d")  # 1.2.840.113549.1.5.13
PBKDF2_OID = bytes.fromhex("06092a864886f70d01050c")  # 1.2.840.113549.1.5.12


def test_p12_is_strongly_encrypted_and_loads(pki: DevPki, people: dict[str, Person]) -> None:
    p12 = people["pegawai"].p12
    assert SIGNER_PASSPHRASE not in p12
    assert PBES2_OID in p12
    assert PBKDF2_OID in p12
    assert bytes.fromhex("06096086480165030401") + b"\x2a" in p12  # AES-256-CBC
    signer = Pkcs12Signer.load(p12, SIGNER_PASSPHRASE)
    assert (
        signer.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
        == people["pegawai"].nama
    )
    assert pki.issuing_cert in signer.chain


def test_p12_default_kdf_is_600000_pbkdf2_rounds(pki: DevPki) -> None:
    p12 = new_signer_p12(pki, nama="A", nip="1", jabatan="J", instansi="I", passphrase=SIGNER_PASSPHRASE)
    assert DEFAULT_KDF_ROUNDS == 600_000
    assert bytes.fromhex("02030927c0") in p12  # DER INTEGER 600000 (iteration count)
    assert Pkcs12Signer.load(p12, SIGNER_PASSPHRASE).certificate.serial_number > 0


def test_wrong_passphrase(people: dict[str, Person]) -> None:
    with pytest.raises(WrongPassphraseError):
        Pkcs12Signer.load(people["pegawai"].p12, b"frasa-yang-salah")


@pytest.mark.parametrize(
    "damage",
    [lambda b: b[: len(b) // 2], lambda b: b"bukan berkas p12", lambda b: b""],
    ids=["truncated", "garbage", "empty"],
)
def test_corrupted_p12(people: dict[str, Person], damage: object) -> None:
    broken = damage(people["pegawai"].p12)  # type: ignore[operator]
    with pytest.raises(InvalidKeyFileError):
        Pkcs12Signer.load(broken, SIGNER_PASSPHRASE)
    with pytest.raises(InvalidKeyFileError):
        inspect_p12(broken, SIGNER_PASSPHRASE)


def test_expired_p12(pki: DevPki) -> None:
    past = datetime.now(UTC) - timedelta(days=400)
    p12 = _p12(pki, not_before=past, validity=timedelta(days=365))
    with pytest.raises(ExpiredCertificateError) as exc:
        Pkcs12Signer.load(p12, SIGNER_PASSPHRASE)
    assert exc.value.not_after < datetime.now(UTC)
    report = inspect_p12(p12, SIGNER_PASSPHRASE, trust=pki.trust_store())
    assert report.expired
    assert not report.usable


def test_inspect_good_p12(pki: DevPki, people: dict[str, Person]) -> None:
    report = inspect_p12(people["pejabat_penilai"].p12, SIGNER_PASSPHRASE, trust=pki.trust_store())
    assert report.key_matches_certificate
    assert not report.expired
    assert report.chain_trusted is True
    assert report.nip == people["pejabat_penilai"].nip
    assert report.usable


def test_inspect_p12_from_an_unknown_ca(pki: DevPki, tmp_path: Path) -> None:
    foreign = create_dev_pki(tmp_path / "asing", organisation="CA Asing", key_passphrase=PKI_PASSPHRASE)
    p12 = _p12(foreign)
    report = inspect_p12(p12, SIGNER_PASSPHRASE, trust=pki.trust_store())
    assert report.key_matches_certificate
    assert report.chain_trusted is False
    assert report.chain_problem
    assert not report.usable
    assert inspect_p12(p12, SIGNER_PASSPHRASE).chain_trusted is None  # no trust store: not checked


def test_key_that_does_not_match_its_certificate(pki: DevPki, people: dict[str, Person]) -> None:
    # cryptography refuses to even write such a .p12, so check the constructor every path uses.
    _key, cert, _ = pkcs12.load_key_and_certificates(people["pegawai"].p12, SIGNER_PASSPHRASE)
    assert cert is not None
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(KeyMismatchError):
        Pkcs12Signer(private_key=other_key, certificate=cert)


def test_short_passphrase_is_refused(pki: DevPki) -> None:
    with pytest.raises(ValueError, match="8 bytes"):
        _p12(pki, passphrase=b"pendek")


def test_trust_store_from_pem(pki: DevPki) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    store = TrustStore.from_pem(
        roots=[pki.root_cert.public_bytes(Encoding.PEM)],
        intermediates=[pki.issuing_cert.public_bytes(Encoding.DER)],
        crls=[pki.root_crl.public_bytes(Encoding.DER), pki.issuing_crl.public_bytes(Encoding.PEM)],
    )
    assert store.check_certificate(pki.seal_cert) is None
    with pytest.raises(PkiError):
        TrustStore.from_pem(roots=[b"not a certificate"])
