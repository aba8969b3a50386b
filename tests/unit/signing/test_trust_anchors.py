"""Outside trust anchors: loading the folder, signing with an outside CA's certificate (revocation
fetched from its OCSP responder and embedded), offline validation from the DSS, refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from asn1crypto import ocsp as asn1_ocsp
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore

from signing._asn1 import cert_to_asn1
from signing.errors import PkiError, SignatureFailedError
from signing.pdf import add_document_timestamp, approve
from signing.pki import DevPki
from signing.signers import Pkcs12Signer, inspect_p12
from signing.timestamps import HttpTsa, LocalTsa
from signing.trust import TrustStore, load_trust_anchors
from signing.validation import _DssRevinfo, validate
from tests.outside.pki import ASING_PERSON, PEOPLE, REVOKED_PERSON
from tests.outside.servers import OutsideServers
from tests.unit.signing.conftest import Person

P12_PASSPHRASE = b"frasa-sandi-p12-luar"


@pytest.fixture(scope="module")
def outside_trust(pki: DevPki, outside: OutsideServers) -> TrustStore:
    """The instance PKI plus the anchors folder the outside fixture writes (bsre and tsp roots)."""
    return pki.trust_store().with_anchors(load_trust_anchors(outside.pki.anchors_dir))


def _signer(outside: OutsideServers, arch: str, label: str) -> Pkcs12Signer:
    p12 = outside.pki.p12(arch, label, P12_PASSPHRASE)  # type: ignore[arg-type]
    return Pkcs12Signer.load(p12, P12_PASSPHRASE)


def _stamp(role: str, nama: str, nip: str) -> object:
    return Person(role=role, nama=nama, nip=nip, jabatan="Analis", p12=b"").stamp()


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


# -- the anchors folder ---------------------------------------------------------------------------


def test_anchors_folder_reads_pem_der_and_bundles(tmp_path: Path, outside: OutsideServers) -> None:
    bsre, tsp, asing = (outside.pki.root(a) for a in ("bsre", "tsp", "asing"))
    ca = outside.pki.cert("tsp", "ca")
    (tmp_path / "bsre.pem").write_bytes(_pem(bsre))
    (tmp_path / "tsp.cer").write_bytes(_der(tsp))
    (tmp_path / "bundle.crt").write_bytes(_pem(asing) + b"\n" + _pem(ca))
    (tmp_path / ".hidden").write_bytes(b"not looked at")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ignored.pem").write_bytes(b"garbage")
    anchors = load_trust_anchors(tmp_path)
    # Name order: bsre.pem, bundle.crt (two), tsp.cer.
    assert anchors == (bsre, asing, ca, tsp)


def test_a_broken_anchor_file_is_named(tmp_path: Path, outside: OutsideServers) -> None:
    (tmp_path / "a-good.pem").write_bytes(_pem(outside.pki.root("tsp")))
    (tmp_path / "rusak.pem").write_bytes(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(PkiError) as caught:
        load_trust_anchors(tmp_path)
    assert caught.value.path == str(tmp_path / "rusak.pem")
    (tmp_path / "rusak.pem").write_bytes(b"\x30\x03\x02\x01\x00")  # DER, but no certificate
    with pytest.raises(PkiError):
        load_trust_anchors(tmp_path)
    (tmp_path / "rusak.pem").write_text("README: taruh sertifikat di sini\n")
    with pytest.raises(PkiError):
        load_trust_anchors(tmp_path)


def test_a_missing_anchors_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PkiError):
        load_trust_anchors(tmp_path / "tidak-ada")


def test_with_anchors_drops_duplicates(pki: DevPki, outside: OutsideServers) -> None:
    tsp = outside.pki.root("tsp")
    store = pki.trust_store().with_anchors([tsp, tsp, pki.root_cert])
    assert store.roots == (pki.root_cert, tsp)


# -- signing with an outside certificate ----------------------------------------------------------


@pytest.fixture(scope="module")
def tsp_signed(sealed_pdf: bytes, outside: OutsideServers, outside_trust: TrustStore) -> bytes:
    """The sealed document approved by a ``tsp`` signer, timestamped by the tsp TSA."""
    person = PEOPLE["pegawai"]
    return approve(
        sealed_pdf,
        field_name="ttd_pegawai",
        signer=_signer(outside, "tsp", "pegawai"),
        timestamper=HttpTsa(outside.tsa_url("tsp")),
        trust=outside_trust,
        stamp=_stamp("pegawai", person.nama, person.nip),  # type: ignore[arg-type]
    )


def _dss_ocsp_responses(pdf: bytes) -> list[asn1_ocsp.OCSPResponse]:
    dss = DocumentSecurityStore.read_dss(PdfFileReader(BytesIO(pdf)))
    return [asn1_ocsp.OCSPResponse.load(ref.get_object().data) for ref in dss.ocsps]


def test_the_dss_holds_the_tsp_ca_ocsp_response(tsp_signed: bytes, outside: OutsideServers) -> None:
    signer_cert = outside.pki.cert("tsp", "pegawai")
    responses = _dss_ocsp_responses(tsp_signed)
    assert responses, "no OCSP response in the DSS"
    singles = [
        single
        for resp in responses
        for single in resp["response_bytes"]["response"].parsed["tbs_response_data"]["responses"]
    ]
    about_signer = [s for s in singles if s["cert_id"]["serial_number"].native == signer_cert.serial_number]
    assert about_signer
    assert about_signer[0]["cert_status"].name == "good"
    # Fetched from the Animator's responder for the tsp CA, as the certificate's AIA says.
    paths = [r.path for r in outside.requests]
    assert "/tsp/ocsp/ca" in paths


def test_offline_validation_trusts_it_from_the_dss(tsp_signed: bytes, outside_trust: TrustStore) -> None:
    report = validate(tsp_signed, outside_trust)
    sig = report.signature("ttd_pegawai")
    assert (sig.intact, sig.valid, sig.trusted) == (True, True, True), sig
    assert sig.timestamp is not None
    assert sig.timestamp.ok
    assert sig.pades_level == "B-LT"
    assert sig.signer_nip == PEOPLE["pegawai"].nip
    seal = report.signature("segel")
    assert seal.trusted
    assert seal.pades_level == "B-LT"


def test_after_the_ocsp_response_expires_it_is_trusted_as_of_its_timestamp(
    tsp_signed: bytes, outside_trust: TrustStore
) -> None:
    """The Animator's OCSP answers live ten minutes; a day later the DSS still proves that the
    certificate was good when the timestamp says the signature was made."""
    now = validate(tsp_signed, outside_trust).signature("ttd_pegawai")
    assert now.trusted
    assert now.trusted_at is None
    later = validate(tsp_signed, outside_trust, at=datetime.now(UTC) + timedelta(days=1))
    sig = later.signature("ttd_pegawai")
    assert sig.trusted
    assert sig.timestamp is not None
    assert sig.trusted_at == sig.timestamp.time
    assert sig.pades_level == "B-LT"


def test_the_archival_timestamp_makes_it_b_lta(
    tsp_signed: bytes, outside: OutsideServers, outside_trust: TrustStore
) -> None:
    archived = add_document_timestamp(
        tsp_signed, timestamper=HttpTsa(outside.tsa_url("tsp")), trust=outside_trust
    )
    report = validate(archived, outside_trust)
    assert report.signature("ttd_pegawai").pades_level == "B-LTA"
    [doc_ts] = report.document_timestamps
    assert doc_ts.ok
    assert doc_ts.tsa == "Timestamp Authority TSP Uji"


def test_without_the_outside_anchors_it_is_not_trusted(tsp_signed: bytes, pki: DevPki) -> None:
    sig = validate(tsp_signed, pki.trust_store()).signature("ttd_pegawai")
    assert (sig.intact, sig.valid, sig.trusted) == (True, True, False)
    assert sig.pades_level is None


def test_a_revoked_outside_signer_is_refused_before_signing(
    sealed_pdf: bytes, outside: OutsideServers, outside_trust: TrustStore, tsa: LocalTsa
) -> None:
    person = PEOPLE[REVOKED_PERSON]
    with pytest.raises(SignatureFailedError) as caught:
        approve(
            sealed_pdf,
            field_name="ttd_pegawai",
            signer=_signer(outside, "tsp", "revoked"),
            timestamper=tsa,
            trust=outside_trust,
            stamp=_stamp("pegawai", person.nama, person.nip),  # type: ignore[arg-type]
        )
    assert "revoked" in caught.value.reason.lower()


def test_a_revoked_outside_p12_is_refused_with_the_reason(
    outside: OutsideServers, outside_trust: TrustStore
) -> None:
    found = inspect_p12(
        outside.pki.p12("tsp", "revoked", P12_PASSPHRASE), P12_PASSPHRASE, trust=outside_trust
    )
    assert found.chain_trusted is False
    assert found.chain_problem is not None
    assert "dicabut" in found.chain_problem
    good = inspect_p12(outside.pki.p12("tsp", "pegawai", P12_PASSPHRASE), P12_PASSPHRASE, trust=outside_trust)
    assert good.chain_trusted is True, good.chain_problem
    assert good.usable


def test_check_certificate_fetches_only_when_asked(
    outside: OutsideServers, outside_trust: TrustStore
) -> None:
    cert, chain = outside.pki.cert("tsp", "revoked"), outside.pki.chain("tsp", "revoked")
    revoked = outside_trust.check_certificate(cert, extra_certs=chain, fetch=True)
    assert revoked is not None
    assert "dicabut" in revoked
    offline = outside_trust.check_certificate(cert, extra_certs=chain)
    assert offline is not None
    assert "tidak dapat dipastikan" in offline


def test_an_asing_signer_is_untrusted_with_a_reason(
    sealed_pdf: bytes, outside: OutsideServers, outside_trust: TrustStore, tsa: LocalTsa
) -> None:
    p12 = outside.pki.p12("asing", ASING_PERSON, P12_PASSPHRASE)
    found = inspect_p12(p12, P12_PASSPHRASE, trust=outside_trust)
    assert found.chain_trusted is False
    assert found.chain_problem is not None
    assert "tidak dikenal" in found.chain_problem
    person = PEOPLE[ASING_PERSON]
    with pytest.raises(SignatureFailedError):
        approve(
            sealed_pdf,
            field_name="ttd_pejabat_penilai",
            signer=_signer(outside, "asing", ASING_PERSON),
            timestamper=tsa,
            trust=outside_trust,
            stamp=_stamp("pejabat_penilai", person.nama, person.nip),  # type: ignore[arg-type]
        )


def test_instance_certificates_are_never_fetched_for(
    sealed_pdf: bytes, tmp_path: Path, outside: OutsideServers
) -> None:
    """An instance PKI whose certificates name an unreachable CRL and OCSP URL still signs: its own
    revocation data is local and nothing is requested from those URLs."""
    from signing.issuing import new_signer
    from signing.pki import create_dev_pki

    dead = "http://127.0.0.1:9/pki"  # discard port: a fetch would fail at once
    pki = create_dev_pki(
        tmp_path / "pki",
        organisation="Pemerintah Uji Tanpa Jaringan",
        key_passphrase=b"kunci-uji-lokal",
        crl_base_url=dead,
        ocsp_url=f"{dead}/ocsp",
    )
    _p12, signer = new_signer(
        pki, nama="A", nip="1" * 18, jabatan="J", instansi="I", passphrase=b"p" * 10, kdf_rounds=1000
    )
    trust = pki.trust_store().with_anchors(load_trust_anchors(outside.pki.anchors_dir))
    assert trust.check_certificate(signer.certificate, extra_certs=pki.chain, fetch=True) is None
    signed = approve(
        sealed_pdf,  # any document with an empty field will do
        field_name="ttd_atasan_pejabat_penilai",
        signer=signer,
        timestamper=pki.local_tsa(),
        trust=trust,
        stamp=Person(role="atasan_pejabat_penilai", nama="A", nip="1" * 18, jabatan="J", p12=b"").stamp(),
    )
    report = validate(signed, trust).signature("ttd_atasan_pejabat_penilai")
    assert report.trusted
    assert report.pades_level == "B-LT"


def test_chain_for_is_the_certificates_own_path(
    pki: DevPki, outside: OutsideServers, outside_trust: TrustStore
) -> None:
    cert = outside.pki.cert("tsp", "pegawai")
    tsp_ca, tsp_root = outside.pki.cert("tsp", "ca"), outside.pki.root("tsp")
    assert outside_trust.chain_for(cert, extra_certs=[tsp_ca]) == (tsp_ca, tsp_root)
    assert outside_trust.chain_for(cert) == ()  # the tsp CA is nowhere here: no path
    assert pki.trust_store().chain_for(cert, extra_certs=[tsp_ca]) == ()  # tsp root not an anchor
    own = pki.seal_cert
    assert outside_trust.chain_for(own) == pki.chain


def test_an_ocsp_response_covers_only_the_certificate_it_is_about(
    tsp_signed: bytes, outside: OutsideServers
) -> None:
    """B-LT needs revocation data for every certificate on the path: the signer's OCSP response says
    nothing about the tsp CA, whose status comes from the root's CRL in the DSS."""
    revinfo = _DssRevinfo.read(DocumentSecurityStore.read_dss(PdfFileReader(BytesIO(tsp_signed))))
    signer, tsp_ca = (
        cert_to_asn1(outside.pki.cert("tsp", "pegawai")),
        cert_to_asn1(outside.pki.cert("tsp", "ca")),
    )
    only_ocsp = _DssRevinfo(ocsps=revinfo.ocsps)
    assert only_ocsp.covers(signer)
    assert not only_ocsp.covers(tsp_ca)
    assert revinfo.covers(tsp_ca)
    other = cert_to_asn1(outside.pki.cert("tsp", "pejabat_penilai"))  # same CA, no response about it
    assert not only_ocsp.covers(other)
