"""The same flow with keys that never leave a token: SoftHSM2 through PKCS#11."""

from __future__ import annotations

from pathlib import Path

import pytest

from signing.errors import TokenError
from signing.pdf import add_document_timestamp, approve, seal
from signing.pki import DevPki
from signing.signers import (
    DocumentSigner,
    Pkcs11Session,
    Pkcs11Signer,
    Pkcs12Signer,
    subject_nama,
    subject_nip,
)
from signing.timestamps import LocalTsa
from signing.trust import TrustStore
from signing.validation import validate
from tests.unit.signing.conftest import Person
from tests.unit.signing.support import (
    ROLES,
    SOFTHSM_MODULE,
    SoftHsmToken,
    pdfsig,
)


def test_wrong_pin_is_a_token_error(hsm_token: SoftHsmToken) -> None:
    # First in the module: once a session is logged in, PKCS#11 answers UserAlreadyLoggedIn.
    with pytest.raises(TokenError) as exc:
        Pkcs11Session(module_path=SOFTHSM_MODULE, token_label=hsm_token.label, user_pin="000000")
    assert "PinIncorrect" in exc.value.reason


def test_unknown_token_is_a_token_error(hsm_token: SoftHsmToken) -> None:
    with pytest.raises(TokenError):
        Pkcs11Session(module_path=SOFTHSM_MODULE, token_label="token-lain", user_pin=hsm_token.user_pin)


@pytest.fixture(scope="module")
def hsm_signers(hsm_session: Pkcs11Session, pki: DevPki) -> dict[str, Pkcs11Signer]:
    return {role: hsm_session.signer(key_label=role, chain=pki.chain) for role in ROLES}


def test_unknown_key_is_a_token_error(hsm_session: Pkcs11Session) -> None:
    with pytest.raises(TokenError):
        hsm_session.signer(key_label="tidak-ada")


def test_pkcs11_signer_satisfies_the_protocol(
    hsm_signers: dict[str, Pkcs11Signer], people: dict[str, Person]
) -> None:
    signer = hsm_signers["pegawai"]
    assert isinstance(signer, DocumentSigner)
    assert subject_nama(signer.certificate) == people["pegawai"].nama
    assert subject_nip(signer.certificate) == people["pegawai"].nip


def test_seal_three_hsm_approvals_and_lta(
    *,
    hsm_signers: dict[str, Pkcs11Signer],
    people: dict[str, Person],
    unsigned_pdf: bytes,
    sealer: Pkcs12Signer,
    tsa: LocalTsa,
    trust: TrustStore,
    nssdir: str,
    tmp_path: Path,
) -> None:
    pdf = seal(unsigned_pdf, signer=sealer, timestamper=tsa, trust=trust)
    for n, role in enumerate(ROLES, start=1):
        person = people[role]
        pdf = approve(
            pdf,
            field_name=person.field_name,
            signer=hsm_signers[role],
            timestamper=tsa,
            trust=trust,
            stamp=person.stamp(),
        )
        report = validate(pdf, trust)
        assert len(report.signatures) == n + 1
        assert report.ok, [(s.field_name, s.ok) for s in report.signatures]
        entries = pdfsig(pdf, nssdir=nssdir, workdir=tmp_path)
        for sig in report.signatures:
            assert entries[sig.field_name].signature_validation == "Signature is Valid."
            assert entries[sig.field_name].certificate_validation == "Certificate is Trusted."
    pdf = add_document_timestamp(pdf, timestamper=tsa, trust=trust)
    report = validate(pdf, trust)
    assert report.ok
    assert report.pades_level == "B-LTA"
    assert report.signature("ttd_pegawai").signer_nip == people["pegawai"].nip
