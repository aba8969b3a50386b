"""Accepting a PDF signed by BSrE (the live contract server) and making it LTV: a good result is
accepted; every fault switch, a revoked or expired signer and an untrusted CA are refused; after
``add_validation_data`` the DSS holds the bsre CA's OCSP responses and the file validates offline."""

from __future__ import annotations

from io import BytesIO

import pytest
from asn1crypto import ocsp as asn1_ocsp
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing._asn1 import cert_to_asn1, key_to_asn1
from signing.bsre import BsreClient
from signing.errors import RemoteSignatureRejectedError
from signing.remote import (
    accept_remote_signature,
    add_validation_data,
    fetching_context,
)
from signing.trust import TrustStore
from signing.validation import validate
from tests.outside.bsre_server import BsreContractServer
from tests.outside.pki import PEOPLE
from tests.outside.servers import OutsideServers
from tests.unit.signing.provider_support import (  # noqa: F401  (fixtures)
    bsre_sealed_pdf_fixture,
    client_fixture,
    field_appearance,
    outside_trust_fixture,
)

PEGAWAI = PEOPLE["pegawai"]
SIGNER_IDS = (PEGAWAI.nik, PEGAWAI.nip)


def _bsre_sign(client: BsreClient, pdf: bytes) -> bytes:
    (signed,) = client.sign(
        [pdf], nik=PEGAWAI.nik, passphrase="rahasia-pegawai", appearances=[field_appearance()]
    )
    return signed


def _reject(sent: bytes, returned: bytes, trust: TrustStore) -> RemoteSignatureRejectedError:
    with pytest.raises(RemoteSignatureRejectedError) as caught:
        accept_remote_signature(sent, returned, trust=trust, signer_ids=SIGNER_IDS)
    return caught.value


def test_a_good_bsre_result_is_accepted(
    client: BsreClient, bsre_sealed_pdf: bytes, outside_trust: TrustStore, outside: OutsideServers
) -> None:
    returned = _bsre_sign(client, bsre_sealed_pdf)
    cert = accept_remote_signature(bsre_sealed_pdf, returned, trust=outside_trust, signer_ids=SIGNER_IDS)
    assert cert == outside.pki.cert("bsre", "pegawai")


def test_the_signer_may_be_named_by_nip_or_nik_only(
    client: BsreClient, bsre_sealed_pdf: bytes, outside_trust: TrustStore
) -> None:
    returned = _bsre_sign(client, bsre_sealed_pdf)
    accept_remote_signature(bsre_sealed_pdf, returned, trust=outside_trust, signer_ids=[f"NIK:{PEGAWAI.nik}"])
    with pytest.raises(RemoteSignatureRejectedError) as caught:
        accept_remote_signature(bsre_sealed_pdf, returned, trust=outside_trust, signer_ids=[PEGAWAI.nip])
    assert caught.value.reason == "wrong_signer"


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("tamper", "not_incremental"),
        ("non_incremental", "not_incremental"),
        ("wrong_signer", "wrong_signer"),
        ("extra_signature", "signature_count"),
    ],
)
def test_each_fault_of_the_contract_server_is_refused(
    *,
    client: BsreClient,
    bsre: BsreContractServer,
    bsre_sealed_pdf: bytes,
    outside_trust: TrustStore,
    fault: str,
    reason: str,
) -> None:
    setattr(bsre, fault, True)
    returned = _bsre_sign(client, bsre_sealed_pdf)
    error = _reject(bsre_sealed_pdf, returned, outside_trust)
    assert error.reason == reason
    assert error.message.startswith("Berkas bertanda tangan dari penyedia ditolak:")
    if fault == "tamper":
        assert "mengubah 1 bita" in error.detail
    if fault == "wrong_signer":
        assert PEOPLE["atasan_pejabat_penilai"].nik in error.detail


def test_a_revoked_signer_is_refused(
    client: BsreClient, bsre: BsreContractServer, bsre_sealed_pdf: bytes, outside_trust: TrustStore
) -> None:
    # BSrE's own status lags behind the CA: still ISSUE, but OCSP says revoked.
    bsre.assign_certificate(PEGAWAI.nik, "revoked")
    returned = _bsre_sign(client, bsre_sealed_pdf)
    assert _reject(bsre_sealed_pdf, returned, outside_trust).reason == "revoked"


def test_an_expired_signer_is_refused(
    client: BsreClient, bsre: BsreContractServer, bsre_sealed_pdf: bytes, outside_trust: TrustStore
) -> None:
    bsre.assign_certificate(PEGAWAI.nik, "expired", status="ISSUE")
    returned = _bsre_sign(client, bsre_sealed_pdf)
    error = _reject(bsre_sealed_pdf, returned, outside_trust)
    assert error.reason == "expired"
    assert "2022" in error.detail


def test_a_ca_outside_the_anchors_is_refused(
    client: BsreClient, bsre_sealed_pdf: bytes, trust: TrustStore
) -> None:
    returned = _bsre_sign(client, bsre_sealed_pdf)
    assert _reject(bsre_sealed_pdf, returned, trust).reason == "untrusted"


def test_an_incremental_update_that_breaks_the_seal_is_refused(
    bsre_sealed_pdf: bytes, outside_trust: TrustStore, outside: OutsideServers
) -> None:
    """Appended, signed correctly by the right person, but the page content changed under the seal."""
    writer = IncrementalPdfFileWriter(BytesIO(bsre_sealed_pdf))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    forged = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 30 Tf 72 400 Td (Target 1: 5 %) Tj ET")
    )
    page[pdf_name("/Contents")] = generic.ArrayObject([page.raw_get("/Contents"), forged])
    writer.update_container(page)
    pki = outside.pki
    signer = signers.SimpleSigner(
        signing_cert=cert_to_asn1(pki.cert("bsre", "pegawai")),
        signing_key=key_to_asn1(pki.key("bsre", "pegawai")),
        cert_registry=SimpleCertificateStore.from_certs(
            [cert_to_asn1(c) for c in pki.chain("bsre", "pegawai")]
        ),
    )
    out = signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES),
        signer,
        timestamper=HTTPTimeStamper(outside.tsa_url("bsre")),
    ).sign_pdf(writer)
    returned = out.getvalue()
    assert returned.startswith(bsre_sealed_pdf)
    error = _reject(bsre_sealed_pdf, returned, outside_trust)
    assert error.reason == "earlier_signature"
    assert "segel" in error.detail


def test_a_new_visible_field_after_a_certifying_seal_is_refused(
    client: BsreClient, sealed_pdf: bytes, outside_trust: TrustStore
) -> None:
    """A certification seal forbids the visible field BSrE adds (pyHanko's rule): the service seals
    such documents without certifying; one that did not would be refused here, not kept broken.
    """
    returned = _bsre_sign(client, sealed_pdf)
    error = _reject(sealed_pdf, returned, outside_trust)
    assert error.reason == "earlier_signature"
    assert "segel" in error.detail


def test_an_unchanged_or_garbled_file_is_refused(bsre_sealed_pdf: bytes, outside_trust: TrustStore) -> None:
    assert _reject(bsre_sealed_pdf, bsre_sealed_pdf, outside_trust).reason == "not_incremental"
    garbled = bsre_sealed_pdf + b"\n%%EOF garbage\nxref 0 1\n"
    assert _reject(bsre_sealed_pdf, garbled, outside_trust).reason in (
        "invalid_pdf",
        "not_incremental",
        "signature_count",
    )


# -- validation data ------------------------------------------------------------------------------


def _ocsp_responses(pdf: bytes) -> list[asn1_ocsp.OCSPResponse]:
    dss = DocumentSecurityStore.read_dss(PdfFileReader(BytesIO(pdf)))
    return [asn1_ocsp.OCSPResponse.load(ref.get_object().data) for ref in dss.ocsps]


def test_validation_data_embeds_the_bsre_ocsp_and_validates_offline(
    client: BsreClient,
    bsre_sealed_pdf: bytes,
    outside_trust: TrustStore,
    outside: OutsideServers,
    trust: TrustStore,
) -> None:
    returned = _bsre_sign(client, bsre_sealed_pdf)
    accept_remote_signature(bsre_sealed_pdf, returned, trust=outside_trust, signer_ids=SIGNER_IDS)

    ltv = add_validation_data(returned, vc=fetching_context(outside_trust))

    assert ltv.startswith(returned)
    assert len(ltv) > len(returned)
    responses = _ocsp_responses(ltv)
    pki = outside.pki
    signer_serial = pki.cert("bsre", "pegawai").serial_number
    ca_key_hash = cert_to_asn1(pki.cert("bsre", "ca")).public_key.sha1
    responder_key_hash = cert_to_asn1(pki.cert("bsre", "ca-ocsp")).public_key.sha1
    by_bsre_ca = []
    for resp in responses:
        assert resp["response_status"].native == "successful"
        data = resp["response_bytes"]["response"].parsed["tbs_response_data"]
        for single in data["responses"]:
            if single["cert_id"]["issuer_key_hash"].native == ca_key_hash:
                by_bsre_ca.append(
                    (
                        data["responder_id"].chosen.native,
                        single["cert_id"]["serial_number"].native,
                        single["cert_status"].name,
                    )
                )
    # The signer's certificate, answered "good" by the bsre CA's OCSP responder.
    assert (responder_key_hash, signer_serial, "good") in by_bsre_ca, by_bsre_ca

    # Offline: nothing fetched, revocation only from the DSS; the outside roots as anchors.
    reader = PdfFileReader(BytesIO(ltv))
    dss = DocumentSecurityStore.read_dss(reader)
    roots = [cert_to_asn1(c) for c in outside_trust.roots]
    new_sig = [es for es in reader.embedded_regular_signatures if str(es.field_name) != "segel"][-1]

    def offline() -> object:
        return dss.as_validation_context(
            {"trust_roots": roots, "allow_fetching": False, "revocation_mode": "require"}
        )

    status = validate_pdf_signature(
        new_sig, signer_validation_context=offline(), ts_validation_context=offline()
    )  # type: ignore[arg-type]
    assert (status.intact, status.valid, status.trusted) == (True, True, True), status.pretty_print_details()
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.trusted

    # Without the DSS, the same offline check cannot establish revocation: the DSS is what makes it LTV.
    bare = PdfFileReader(BytesIO(returned))
    bare_sig = [es for es in bare.embedded_regular_signatures if str(es.field_name) != "segel"][-1]
    from pyhanko_certvalidator import ValidationContext

    def no_dss() -> ValidationContext:
        return ValidationContext(
            trust_roots=roots, crls=[], ocsps=[], allow_fetching=False, revocation_mode="require"
        )

    bare_status = validate_pdf_signature(
        bare_sig, signer_validation_context=no_dss(), ts_validation_context=no_dss()
    )
    assert not bare_status.trusted

    # The earlier seal (an approval signature, as for every document a BSrE official signs) is
    # intact and trusted, and pyHanko's own rules allow the field BSrE added after it.
    seal_report = validate(ltv, trust).signature("segel")
    assert (seal_report.intact, seal_report.valid, seal_report.trusted) == (True, True, True)
    seal = next(es for es in reader.embedded_regular_signatures if str(es.field_name) == "segel")
    seal_status = validate_pdf_signature(
        seal, signer_validation_context=trust.validation_context()
    )
    assert seal_status.docmdp_ok
    assert seal_status.bottom_line
    assert seal_status.modification_level == ModificationLevel.FORM_FILLING


def test_add_validation_data_keeps_earlier_signatures_and_adds_one_revision(
    client: BsreClient, bsre_sealed_pdf: bytes, outside_trust: TrustStore
) -> None:
    returned = _bsre_sign(client, bsre_sealed_pdf)
    ltv = add_validation_data(returned, vc=fetching_context(outside_trust))
    before = PdfFileReader(BytesIO(returned)).xrefs.total_revisions
    assert PdfFileReader(BytesIO(ltv)).xrefs.total_revisions == before + 1
    # Accepting the LTV file against the sealed one still works: a DSS update is allowed after signing.
    accept_remote_signature(bsre_sealed_pdf, ltv, trust=outside_trust, signer_ids=SIGNER_IDS)
