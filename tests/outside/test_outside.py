"""The outside PKIs' live services answer as real ones would: OCSP, CRL, RFC 3161, CSC, pdfsig trust."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from io import BytesIO
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import requests
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import ocsp
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCServiceSessionInfo,
    CSCSigner,
    fetch_certs_in_csc_credential,
)
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation import DocumentSecurityStore, add_validation_info, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from tests.outside.nss import nss_db
from tests.outside.pki import PEOPLE, REVOKED_PERSON, Arch
from tests.outside.servers import OutsideServers
from tests.unit.signing.support import pdfsig, sample_pdf


def _ocsp_status(outside: OutsideServers, arch: Arch, label: str) -> ocsp.OCSPResponse:
    cert = outside.pki.cert(arch, label)
    issuer = outside.pki.chain(arch, label)[0]
    req = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA256()).build()
    aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    url = aia[0].access_location.value
    assert url == outside.pki.ocsp_url(arch)
    resp = requests.post(
        url,
        data=req.public_bytes(serialization.Encoding.DER),
        headers={"Content-Type": "application/ocsp-request"},
        timeout=10,
    )
    assert resp.status_code == 200
    parsed = ocsp.load_der_ocsp_response(resp.content)
    assert parsed.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert parsed.serial_number == cert.serial_number
    return parsed


def test_ocsp_good_for_a_signer_and_revoked_for_revoked(outside: OutsideServers) -> None:
    good = _ocsp_status(outside, "bsre", "pegawai")
    assert good.certificate_status == ocsp.OCSPCertStatus.GOOD
    # Signed by the delegated responder, which the CA issued.
    responder = outside.pki.cert("bsre", "ca-ocsp")
    assert good.certificates[0] == responder
    pub = responder.public_key()
    assert isinstance(pub, rsa.RSAPublicKey)
    assert good.signature_hash_algorithm is not None
    pub.verify(good.signature, good.tbs_response_bytes, padding.PKCS1v15(), good.signature_hash_algorithm)

    revoked = _ocsp_status(outside, "bsre", "revoked")
    assert revoked.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert revoked.revocation_reason == x509.ReasonFlags.key_compromise
    assert revoked.revocation_time_utc is not None
    assert revoked.revocation_time_utc.date().isoformat() == "2025-06-01"
    # The revoked certificate names a real person, by NIK.
    serial = outside.pki.cert("bsre", "revoked").subject.get_attributes_for_oid(x509.NameOID.SERIAL_NUMBER)
    assert serial[0].value == PEOPLE[REVOKED_PERSON].nik


def test_crl_of_the_issuing_ca_lists_the_revoked_serial(outside: OutsideServers) -> None:
    signer = outside.pki.cert("bsre", "pegawai")
    cdp = signer.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    full_name = cdp[0].full_name
    assert full_name is not None
    url = full_name[0].value
    assert url == outside.pki.crl_url("bsre", "ca")
    resp = requests.get(url, timeout=10)
    assert resp.status_code == 200
    crl = x509.load_der_x509_crl(resp.content)
    ca = outside.pki.cert("bsre", "ca")
    assert crl.issuer == ca.subject
    assert crl.is_signature_valid(ca.public_key())  # type: ignore[arg-type]
    revoked = crl.get_revoked_certificate_by_serial_number(outside.pki.cert("bsre", "revoked").serial_number)
    assert revoked is not None
    assert crl.get_revoked_certificate_by_serial_number(signer.serial_number) is None


def test_tsa_answers_rfc3161(outside: OutsideServers) -> None:
    digest = hashlib.sha256(b"SKP 2025").digest()
    token = asyncio.run(HTTPTimeStamper(outside.tsa_url("bsre")).async_timestamp(digest, "sha256"))
    signed_data = token["content"]
    tst_info = signed_data["encap_content_info"]["content"].parsed
    assert tst_info["message_imprint"]["hashed_message"].native == digest
    tsa_cert = outside.pki.cert("bsre", "tsa")
    embedded = [c.chosen.dump() for c in signed_data["certificates"]]
    assert tsa_cert.public_bytes(serialization.Encoding.DER) in embedded
    cn = tsa_cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
    assert cn == "Timestamp Authority BSrE Uji"


class _PinAuthorization(CSCAuthorizationManager):
    """Explicit authorisation with a PIN, as the service does for a CSC provider."""

    def __init__(self, session: aiohttp.ClientSession, info: Any, session_info: Any, pin: str) -> None:
        super().__init__(session_info, info)
        self.session = session
        self.pin = pin
        self.last_error: tuple[int, dict[str, Any]] | None = None

    async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
        body = self.format_csc_auth_request(pin=self.pin, hash_b64s=hash_b64s)
        url = self.csc_session_info.endpoint_url("credentials/authorize")
        async with self.session.post(url, json=body, headers=self.auth_headers) as resp:
            data = await resp.json()
            if resp.status != 200:
                self.last_error = (resp.status, data)
                raise SigningError(f"authorize failed: {resp.status}")
        return self.parse_csc_auth_response(data)


async def _csc_sign(outside: OutsideServers, credential_id: str, pin: str, data: bytes) -> tuple[Any, Any]:
    assert outside.csc_url == f"{outside.csc_service_url}/csc/v1"
    session_info = CSCServiceSessionInfo(service_url=outside.csc_service_url, credential_id=credential_id)
    async with aiohttp.ClientSession() as session:
        info = await fetch_certs_in_csc_credential(session, session_info)
        auth = _PinAuthorization(session, info, session_info, pin)
        signer = CSCSigner(session, auth)
        try:
            return await signer.async_sign_raw(data, "sha256"), info
        except SigningError:
            return auth.last_error, info


def test_csc_dummy_signs_with_the_right_pin_and_refuses_a_wrong_one(outside: OutsideServers) -> None:
    cred = "tsp/pejabat_penilai"
    data = b"dokumen penilaian"
    signature, info = asyncio.run(_csc_sign(outside, cred, outside.csc_pin(cred), data))
    cert = outside.pki.cert("tsp", "pejabat_penilai")
    assert info.signing_cert.dump() == cert.public_bytes(serialization.Encoding.DER)
    assert info.response_data["authMode"] == "explicit"
    assert info.response_data["PIN"]["presence"] == "true"
    pub = cert.public_key()
    assert isinstance(pub, rsa.RSAPublicKey)
    pub.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())

    error, _ = asyncio.run(_csc_sign(outside, cred, "000000", data))
    assert error == (400, {"error": "invalid_pin", "error_description": "The PIN is invalid"})


def test_csc_otp_credential_needs_the_otp(outside: OutsideServers) -> None:
    cred = "tsp/atasan_pejabat_penilai"
    outside.otp_credentials.add(cred)
    try:
        url = f"{outside.csc_url}/credentials/authorize"
        body = {"credentialID": cred, "numSignatures": 1, "hash": [base64.b64encode(b"x" * 32).decode()]}
        wrong = requests.post(url, json=body | {"OTP": "111111"}, timeout=10)
        assert wrong.status_code == 400
        assert wrong.json()["error"] == "invalid_otp"
        right = requests.post(url, json=body | {"OTP": outside.csc_otp(cred)}, timeout=10)
        assert right.status_code == 200
        assert right.json()["SAD"]
    finally:
        outside.otp_credentials.discard(cred)


def _signed_by(outside: OutsideServers, arch: Arch, label: str, *, timestamped: bool = False) -> bytes:
    cert = asn1_x509.Certificate.load(outside.pki.cert(arch, label).public_bytes(serialization.Encoding.DER))
    key_der = outside.pki.key(arch, label).private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    chain = [
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
        for c in outside.pki.chain(arch, label)
    ]
    signer = signers.SimpleSigner(
        signing_cert=cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs(chain),
    )
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(BytesIO(sample_pdf(pages=1))),
        signers.PdfSignatureMetadata(field_name="ttd_pejabat_penilai"),
        signer=signer,
        timestamper=HTTPTimeStamper(outside.tsa_url(arch)) if timestamped else None,
    )
    data: bytes = out.getvalue()
    return data


def test_pdfsig_trusts_a_tsp_signature_only_with_the_tsp_root(
    outside: OutsideServers, tmp_path: Path
) -> None:
    pdf = _signed_by(outside, "tsp", "pejabat_penilai")
    trusting = nss_db(tmp_path / "trusting", [outside.pki.root("tsp"), outside.pki.root("bsre")])
    entry = pdfsig(pdf, nssdir=f"sql:{trusting}", workdir=tmp_path)["ttd_pejabat_penilai"]
    assert entry.signature_validation == "Signature is Valid."
    assert entry.certificate_validation == "Certificate is Trusted."

    other = nss_db(tmp_path / "other", [outside.pki.root("bsre")])
    entry = pdfsig(pdf, nssdir=f"sql:{other}", workdir=tmp_path)["ttd_pejabat_penilai"]
    assert entry.signature_validation == "Signature is Valid."
    assert entry.certificate_validation != "Certificate is Trusted."


def test_anchors_hold_the_trusted_roots_only(outside: OutsideServers) -> None:
    anchors = {
        x509.load_pem_x509_certificate(p.read_bytes()).subject for p in outside.pki.anchors_dir.iterdir()
    }
    assert anchors == {outside.pki.root("bsre").subject, outside.pki.root("tsp").subject}
    assert outside.pki.root("asing").subject not in anchors
    # The untrusted signer still names the official by NIP.
    asing = outside.pki.cert("asing", "pejabat_penilai")
    assert asing.issuer == outside.pki.root("asing").subject
    nip = asing.subject.get_attributes_for_oid(x509.NameOID.SERIAL_NUMBER)[0].value
    assert nip == PEOPLE["pejabat_penilai"].nip


@pytest.mark.parametrize("passphrase", [b"rahasia"])
def test_p12_round_trip(outside: OutsideServers, passphrase: bytes) -> None:
    from cryptography.hazmat.primitives.serialization import pkcs12

    p12 = outside.pki.p12("bsre", "pegawai", passphrase)
    key, cert, extra = pkcs12.load_key_and_certificates(p12, passphrase)
    assert cert == outside.pki.cert("bsre", "pegawai")
    assert key is not None
    assert list(extra) == list(outside.pki.chain("bsre", "pegawai"))


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def test_revocation_data_is_fetched_live_and_validates_offline(outside: OutsideServers) -> None:
    """The LTV path: OCSP for the signer, the root CRL for the CA and TSA, all from the Animator."""
    pdf = _signed_by(outside, "bsre", "atasan_pejabat_penilai", timestamped=True)
    roots = [_asn1(outside.pki.root("bsre"))]
    fetching = ValidationContext(trust_roots=roots, allow_fetching=True, revocation_mode="require")
    before = len(outside.requests)
    out = BytesIO()
    add_validation_info(PdfFileReader(BytesIO(pdf)).embedded_signatures[0], fetching, output=out)
    fetched = {r.path for r in outside.requests[before:]}
    assert {"/bsre/ocsp/ca", "/bsre/crls/root/latest.crl"} <= fetched

    reader = PdfFileReader(out)
    dss = DocumentSecurityStore.read_dss(reader)
    offline = ValidationContext(
        trust_roots=roots,
        allow_fetching=False,
        revocation_mode="hard-fail",
        ocsps=[o.get_object().data for o in dss.ocsps],
        crls=[c.get_object().data for c in dss.crls],
    )
    status = validate_pdf_signature(reader.embedded_signatures[0], offline, ts_validation_context=offline)
    assert status.bottom_line
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.trusted
    # Without the bsre root, the same data does not make it trusted.
    foreign = ValidationContext(
        trust_roots=[_asn1(outside.pki.root("tsp"))],
        allow_fetching=False,
        revocation_mode="hard-fail",
        ocsps=offline.ocsps,
        crls=offline.crls,
    )
    assert not validate_pdf_signature(reader.embedded_signatures[0], foreign).bottom_line


def test_csc_credentials_list_by_user_id(outside: OutsideServers) -> None:
    url = f"{outside.csc_url}/credentials/list"
    nip = PEOPLE["atasan_pejabat_penilai"].nip
    resp = requests.post(url, json={"userID": nip, "clientData": "tsp"}, timeout=10)
    assert resp.status_code == 200
    assert resp.json() == {"credentialIDs": ["tsp/atasan_pejabat_penilai"]}
    # Without a filter the dummy's own answer: every credential of every architecture.
    everything = requests.post(url, json={}, timeout=10).json()["credentialIDs"]
    assert "tsp/atasan_pejabat_penilai" in everything
    assert "bsre/revoked" in everything
