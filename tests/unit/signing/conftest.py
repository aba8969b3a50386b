"""Shared fixtures: one real dev PKI per session (RSA-2048), signers for the three roles (as .p12
and on a SoftHSM2 token), pdfsig."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives import serialization

from signing.issuing import issue_signer_certificate, new_signer_p12
from signing.pdf import StampInfo, add_document_timestamp, add_signature_fields, approve, seal
from signing.pki import DevPki, create_dev_pki
from signing.signers import Pkcs11Session, Pkcs12Signer
from signing.timestamps import LocalTsa
from signing.trust import TrustStore
from tests.unit.signing.support import (
    PERAN_LABEL,
    ROLES,
    SOFTHSM_MODULE,
    SoftHsmToken,
    field_specs,
    init_softhsm_token,
    make_nss_db,
    pkcs11_tool,
    sample_pdf,
)

PKI_PASSPHRASE = b"kunci-instans-dev"
SIGNER_PASSPHRASE = b"frasa-sandi-penandatangan"
# Tests open many .p12 files; production uses DEFAULT_KDF_ROUNDS (600 000, ~0.2 s per open).
TEST_KDF_ROUNDS = 2_000
WIB = timezone(timedelta(hours=7))


@dataclass(frozen=True)
class Person:
    role: str
    nama: str
    nip: str
    jabatan: str
    p12: bytes

    @property
    def field_name(self) -> str:
        return f"ttd_{self.role}"

    def stamp(self) -> StampInfo:
        return StampInfo(
            nama=self.nama,
            nip=self.nip,
            peran_label=PERAN_LABEL[self.role],
            waktu=datetime.now(WIB),
            verify_url="https://skp.example.go.id/v/ABCD-1234",
        )


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    return create_dev_pki(
        tmp_path_factory.mktemp("pki"),
        organisation="Pemerintah Kabupaten Contoh",
        key_passphrase=PKI_PASSPHRASE,
    )


@pytest.fixture(scope="session")
def trust(pki: DevPki) -> TrustStore:
    return pki.trust_store()


@pytest.fixture(scope="session")
def tsa(pki: DevPki) -> LocalTsa:
    return pki.local_tsa()


@pytest.fixture(scope="session")
def sealer(pki: DevPki) -> Pkcs12Signer:
    return pki.seal_signer()


@pytest.fixture(scope="session")
def people(pki: DevPki) -> dict[str, Person]:
    names = {
        "pegawai": ("Siti Rahmawati, S.E.", "199003152015032001", "Analis Keuangan"),
        "pejabat_penilai": ("Drs. Bambang Wijaya, M.Si.", "197501102000031002", "Kepala Bidang Anggaran"),
        "atasan_pejabat_penilai": ("Ir. Dewi Lestari, M.T.", "196812201994032003", "Kepala Badan Keuangan"),
    }
    people = {}
    for role in ROLES:
        nama, nip, jabatan = names[role]
        p12 = new_signer_p12(
            pki,
            nama=nama,
            nip=nip,
            jabatan=jabatan,
            instansi="Pemerintah Kabupaten Contoh",
            passphrase=SIGNER_PASSPHRASE,
            kdf_rounds=TEST_KDF_ROUNDS,
        )
        people[role] = Person(role=role, nama=nama, nip=nip, jabatan=jabatan, p12=p12)
    return people


@pytest.fixture(scope="session")
def signers(people: dict[str, Person]) -> dict[str, Pkcs12Signer]:
    return {role: Pkcs12Signer.load(p.p12, SIGNER_PASSPHRASE) for role, p in people.items()}


@pytest.fixture(scope="session")
def unsigned_pdf() -> bytes:
    """The sample document with its three approval fields (ready for the seal)."""
    return add_signature_fields(sample_pdf(pages=2), field_specs(last_page=1))


@pytest.fixture(scope="session")
def sealed_pdf(*, unsigned_pdf: bytes, sealer: Pkcs12Signer, tsa: LocalTsa, trust: TrustStore) -> bytes:
    """:func:`unsigned_pdf` under the instance seal, ready for approvals."""
    return seal(unsigned_pdf, signer=sealer, timestamper=tsa, trust=trust)


@pytest.fixture(scope="session")
def hsm_token(
    tmp_path_factory: pytest.TempPathFactory, pki: DevPki, people: dict[str, Person]
) -> Iterator[SoftHsmToken]:
    """A SoftHSM2 token with one RSA-2048 key per role, generated inside it, and its certificate.

    One per session: SoftHSM reads ``SOFTHSM2_CONF`` once per process, when python-pkcs11 first
    initialises the module, so every test module in this process sees the same token directory.
    """
    directory = tmp_path_factory.mktemp("softhsm")
    token = init_softhsm_token(directory)
    for i, role in enumerate(ROLES, start=1):
        key_id = f"{i:02x}"
        pkcs11_tool(token, "--keypairgen", "--key-type", "rsa:2048", "--label", role, "--id", key_id)
        spki = pkcs11_tool(token, "--read-object", "--type", "pubkey", "--label", role)
        person = people[role]
        cert = issue_signer_certificate(
            pki,
            public_key=serialization.load_der_public_key(spki),  # type: ignore[arg-type]
            nama=person.nama,
            nip=person.nip,
            jabatan=person.jabatan,
            instansi="Pemerintah Kabupaten Contoh",
        )
        cert_file = directory / f"{role}.cert.der"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.DER))
        pkcs11_tool(
            token, "--write-object", str(cert_file), "--type", "cert", "--label", role, "--id", key_id
        )
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(token.conf)
    yield token
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


@pytest.fixture(scope="module")
def hsm_session(hsm_token: SoftHsmToken) -> Iterator[Pkcs11Session]:
    """A logged-in session on :func:`hsm_token`, one per test module.

    PKCS#11 allows one login per token and process; closing the module's session logs out, so
    the next module (and a wrong-PIN test at its start) begins logged out.
    """
    with Pkcs11Session(
        module_path=SOFTHSM_MODULE, token_label=hsm_token.label, user_pin=hsm_token.user_pin
    ) as session:
        yield session


@pytest.fixture(scope="session")
def nssdir(pki: DevPki, tmp_path_factory: pytest.TempPathFactory) -> str:
    return make_nss_db(tmp_path_factory.mktemp("nss"), pki.directory / "root-ca.cert.pem")


@pytest.fixture(scope="session")
def signed_versions(
    *,
    unsigned_pdf: bytes,
    sealer: Pkcs12Signer,
    signers: dict[str, Pkcs12Signer],
    people: dict[str, Person],
    tsa: LocalTsa,
    trust: TrustStore,
) -> list[bytes]:
    """[sealed, +pegawai, +pejabat penilai, +atasan, +document timestamp] for tamper tests."""
    versions = [seal(unsigned_pdf, signer=sealer, timestamper=tsa, trust=trust)]
    for role in ROLES:
        person = people[role]
        versions.append(
            approve(
                versions[-1],
                field_name=person.field_name,
                signer=signers[role],
                timestamper=tsa,
                trust=trust,
                stamp=person.stamp(),
            )
        )
    versions.append(add_document_timestamp(versions[-1], timestamper=tsa, trust=trust))
    return versions
