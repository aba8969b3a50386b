"""The :class:`~signing.signers.DocumentSigner` contract, run against every implementation.

Each signer seals and approves a real PDF; the result must validate against the trust store and
name the signer's own certificate. ``pkcs12`` holds its key in memory (opened from a ``.p12``),
``pkcs11`` keeps it in a SoftHSM2 token.
"""

from __future__ import annotations

from io import BytesIO

import pytest
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.pdf import approve, seal
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

ROLE = "pegawai"
IMPLEMENTATIONS = {"pkcs12": Pkcs12Signer, "pkcs11": Pkcs11Signer}


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def signer(request: pytest.FixtureRequest, pki: DevPki, signers: dict[str, Pkcs12Signer]) -> DocumentSigner:
    """The ``pegawai`` key, through each implementation."""
    if request.param == "pkcs12":
        return signers[ROLE]
    session: Pkcs11Session = request.getfixturevalue("hsm_session")
    return session.signer(key_label=ROLE, chain=pki.chain)


def _der(signer: DocumentSigner) -> bytes:
    return signer.certificate.public_bytes(serialization.Encoding.DER)


def test_is_a_document_signer_whose_certificate_is_the_signing_one(
    request: pytest.FixtureRequest, signer: DocumentSigner, people: dict[str, Person]
) -> None:
    assert isinstance(signer, IMPLEMENTATIONS[request.node.callspec.params["signer"]])
    assert isinstance(signer, DocumentSigner)
    # What pyHanko embeds as signing certificate is what the signer reports.
    signing_cert = signer.pyhanko_signer.signing_cert
    assert signing_cert is not None
    assert signing_cert.dump() == _der(signer)
    assert subject_nip(signer.certificate) == people[ROLE].nip


def test_seal_validates_as_a_certification_signature(
    *, signer: DocumentSigner, unsigned_pdf: bytes, tsa: LocalTsa, trust: TrustStore
) -> None:
    sealed = seal(unsigned_pdf, signer=signer, timestamper=tsa, trust=trust)
    report = validate(sealed, trust)
    assert report.ok, report.as_dict()
    (signature,) = report.signatures
    assert signature.field_name == "segel"
    assert signature.certification
    assert (signature.intact, signature.valid, signature.trusted) == (True, True, True)
    assert signature.signer_name == subject_nama(signer.certificate)
    assert signature.signer_nip == subject_nip(signer.certificate)
    assert signature.timestamp is not None
    assert signature.timestamp.ok


def test_approval_validates_and_names_the_signer(
    *,
    signer: DocumentSigner,
    sealed_pdf: bytes,
    people: dict[str, Person],
    tsa: LocalTsa,
    trust: TrustStore,
) -> None:
    person = people[ROLE]
    pdf = approve(
        sealed_pdf,
        field_name=person.field_name,
        signer=signer,
        timestamper=tsa,
        trust=trust,
        stamp=person.stamp(),
    )
    report = validate(pdf, trust)
    assert report.ok, report.as_dict()
    assert [s.field_name for s in report.signatures] == ["segel", person.field_name]
    approval = report.signature(person.field_name)
    assert not approval.certification
    assert (approval.signer_name, approval.signer_nip) == (person.nama, person.nip)
    assert approval.signer_nip == subject_nip(signer.certificate)
    assert approval.pades_level == "B-LT"


def test_signature_embeds_the_chain_to_the_root(
    *, signer: DocumentSigner, sealed_pdf: bytes, people: dict[str, Person], tsa: LocalTsa, pki: DevPki
) -> None:
    # The CMS itself (not only the DSS added afterwards) lets a verifier that knows just the
    # root build the path: signing certificate and issuing CA are both in it.
    person = people[ROLE]
    pdf = approve(
        sealed_pdf,
        field_name=person.field_name,
        signer=signer,
        timestamper=tsa,
        trust=pki.trust_store(),
        stamp=person.stamp(),
    )
    (embedded,) = [
        s for s in PdfFileReader(BytesIO(pdf)).embedded_signatures if s.field_name == person.field_name
    ]
    in_cms = {c.chosen.dump() for c in embedded.signed_data["certificates"]}
    assert _der(signer) in in_cms
    assert pki.issuing_cert.public_bytes(serialization.Encoding.DER) in in_cms
