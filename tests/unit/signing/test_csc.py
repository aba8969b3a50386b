"""The CSC signer against the live CSC dummy (Certomancer keys, PIN/OTP check, hash-bound SAD):
signed through the unchanged ``signing.pdf.approve``, validated as trusted; wrong PIN, lookup, faults."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import aiohttp
import pytest
import requests
from aiohttp import web
from cryptography import x509

from signing.csc import CscDocumentSigner, open_csc_signer
from signing.errors import (
    CscCredentialNotFoundError,
    CscError,
    ProviderUnavailableError,
    WrongPassphraseError,
    WrongPinError,
)
from signing.pdf import StampInfo, approve, signature_fields
from signing.signers import DocumentSigner
from signing.timestamps import LocalTsa
from signing.trust import TrustStore
from signing.validation import validate
from tests.outside.pki import PEOPLE
from tests.outside.servers import OutsideServers

WIB = timezone(timedelta(hours=7))
ROLE = "pejabat_penilai"
CREDENTIAL = f"tsp/{ROLE}"
FIELD = f"ttd_{ROLE}"


def _crl(url: str) -> x509.CertificateRevocationList:
    response = requests.get(url, timeout=10)
    response.raise_for_status()
    return x509.load_der_x509_crl(response.content)


@pytest.fixture(scope="module")
def tsp_trust(outside: OutsideServers, trust: TrustStore) -> TrustStore:
    """The instance trust store plus the TSP root, its CA and their current CRLs (what approve checks)."""
    pki = outside.pki
    return TrustStore(
        roots=(*trust.roots, pki.root("tsp")),
        intermediates=(*trust.intermediates, pki.cert("tsp", "ca")),
        crls=(*trust.crls, _crl(pki.crl_url("tsp", "ca")), _crl(pki.crl_url("tsp", "root"))),
    )


@pytest.fixture
def otp_credential(outside: OutsideServers) -> Iterator[str]:
    outside.otp_credentials.add(CREDENTIAL)
    try:
        yield CREDENTIAL
    finally:
        outside.otp_credentials.discard(CREDENTIAL)


def _stamp() -> StampInfo:
    person = PEOPLE[ROLE]
    return StampInfo(
        nama=person.nama,
        nip=person.nip,
        peran_label="Pejabat Penilai Kinerja",
        waktu=datetime.now(WIB),
        verify_url="https://skp.example.go.id/v/CSC-0001",
    )


def _approve(pdf: bytes, signer: DocumentSigner, tsa: LocalTsa, trust: TrustStore) -> bytes:
    return approve(pdf, field_name=FIELD, signer=signer, timestamper=tsa, trust=trust, stamp=_stamp())


def _paths(outside: OutsideServers, since: int) -> list[str]:
    return [r.path for r in outside.requests[since:] if r.server == "csc"]


def test_approve_signs_through_csc_with_the_right_pin(
    outside: OutsideServers, sealed_pdf: bytes, tsa: LocalTsa, tsp_trust: TrustStore
) -> None:
    mark = len(outside.requests)
    signer = open_csc_signer(outside.csc_url, credential_id=CREDENTIAL, pin=outside.csc_pin(CREDENTIAL))
    assert isinstance(signer, DocumentSigner)
    assert signer.certificate == outside.pki.cert("tsp", ROLE)
    assert outside.pki.cert("tsp", "ca") in signer.chain

    signed = _approve(sealed_pdf, signer, tsa, tsp_trust)

    assert signed.startswith(sealed_pdf)
    assert {f.name: f.signed for f in signature_fields(signed)}[FIELD] is True
    report = validate(signed, tsp_trust).signature(FIELD)
    assert (report.intact, report.valid, report.trusted) == (True, True, True), report
    assert report.signer_nip == PEOPLE[ROLE].nip
    assert report.signer_name == PEOPLE[ROLE].nama
    assert report.timestamp is not None
    assert report.timestamp.ok
    # One authorization bound to the hash, one signHash: the PIN authorised this signature only.
    assert _paths(outside, mark) == [
        "/csc/v1/credentials/info",
        "/csc/v1/credentials/authorize",
        "/csc/v1/signatures/signHash",
    ]


def test_a_wrong_pin_raises_wrong_pin_error_and_signs_nothing(
    outside: OutsideServers, sealed_pdf: bytes, tsa: LocalTsa, tsp_trust: TrustStore
) -> None:
    mark = len(outside.requests)
    signer = open_csc_signer(outside.csc_url, credential_id=CREDENTIAL, pin="000000")
    with pytest.raises(WrongPinError) as caught:
        _approve(sealed_pdf, signer, tsa, tsp_trust)
    # The service counts it toward the lock like a wrong passphrase.
    assert isinstance(caught.value, WrongPassphraseError)
    assert caught.value.error == "invalid_pin"
    assert "PIN" in caught.value.message
    assert "000000" not in caught.value.message
    assert "/csc/v1/signatures/signHash" not in _paths(outside, mark)


def test_the_pin_authorises_one_signature_only(
    outside: OutsideServers, sealed_pdf: bytes, tsa: LocalTsa, tsp_trust: TrustStore
) -> None:
    signer = open_csc_signer(outside.csc_url, credential_id=CREDENTIAL, pin=outside.csc_pin(CREDENTIAL))
    _approve(sealed_pdf, signer, tsa, tsp_trust)
    with pytest.raises(CscError, match="sudah dipakai"):
        _approve(sealed_pdf, signer, tsa, tsp_trust)


def test_otp_credential_signs_with_the_otp_and_refuses_a_wrong_one(
    outside: OutsideServers, sealed_pdf: bytes, tsa: LocalTsa, tsp_trust: TrustStore, otp_credential: str
) -> None:
    good = open_csc_signer(outside.csc_url, credential_id=otp_credential, otp=outside.csc_otp(otp_credential))
    signed = _approve(sealed_pdf, good, tsa, tsp_trust)
    assert validate(signed, tsp_trust).signature(FIELD).trusted

    bad = open_csc_signer(outside.csc_url, credential_id=otp_credential, otp="111111")
    with pytest.raises(WrongPinError) as caught:
        _approve(sealed_pdf, bad, tsa, tsp_trust)
    assert caught.value.error == "invalid_otp"
    assert "OTP" in caught.value.message


def test_credential_found_by_nip(outside: OutsideServers) -> None:
    nip = PEOPLE[ROLE].nip
    signer = open_csc_signer(
        outside.csc_url, lookup_ids=["3578062309850003", nip], client_data="tsp", pin="x"
    )
    assert isinstance(signer, CscDocumentSigner)
    assert signer.credential_id == CREDENTIAL
    assert signer.certificate == outside.pki.cert("tsp", ROLE)


def test_lookup_matching_two_credentials_asks_for_the_credential_id(outside: OutsideServers) -> None:
    # The dummy lists every architecture: the untrusted "asing" CA also issued a certificate on this NIP.
    with pytest.raises(CscError, match="lebih dari satu") as caught:
        open_csc_signer(outside.csc_url, lookup_ids=[PEOPLE[ROLE].nip], pin="x")
    assert caught.value.error == "ambiguous"
    assert "tsp/pejabat_penilai" in caught.value.message
    assert "asing/pejabat_penilai" in caught.value.message


def test_lookup_without_a_match_says_so(outside: OutsideServers) -> None:
    with pytest.raises(CscCredentialNotFoundError, match="199901012020011001"):
        open_csc_signer(outside.csc_url, lookup_ids=["199901012020011001"], client_data="tsp", pin="x")


def test_an_unknown_credential_id_is_not_found(outside: OutsideServers) -> None:
    with pytest.raises(CscCredentialNotFoundError):
        open_csc_signer(outside.csc_url, credential_id="tsp/tidak-ada", pin="x")


def test_a_service_that_is_down_is_unavailable_and_not_dispatched() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port any more.
    with pytest.raises(ProviderUnavailableError) as caught:
        open_csc_signer(f"http://127.0.0.1:{port}/csc/v1", credential_id=CREDENTIAL, pin="x", timeout=5)
    assert caught.value.dispatched is False
    assert caught.value.provider == "CSC"


def _proxy(outside: OutsideServers, *, fail: str, status: int = 500, delay: float = 0) -> str:
    """A CSC service in front of the dummy that fails one endpoint (HTTP ``status`` or a slow answer)."""

    async def forward(request: web.Request) -> web.StreamResponse:
        endpoint = request.match_info["endpoint"]
        if endpoint == fail:
            if delay:
                await asyncio.sleep(delay)
            else:
                return web.json_response({"error": "server_error"}, status=status)
        body = await request.read()
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"{outside.csc_url}/{endpoint}", data=body, headers=request.headers) as answer,
        ):
            return web.Response(
                body=await answer.read(), status=answer.status, content_type="application/json"
            )

    app = web.Application()
    app.router.add_post("/csc/v1/{endpoint:.+}", forward)
    return f"{outside.add_app(app, name='csc-proxy')}/csc/v1"


def test_a_5xx_of_credentials_info_is_unavailable(outside: OutsideServers) -> None:
    url = _proxy(outside, fail="credentials/info", status=503)
    with pytest.raises(ProviderUnavailableError) as caught:
        open_csc_signer(url, credential_id=CREDENTIAL, pin="x")
    assert caught.value.dispatched is True
    assert "HTTP 503" in caught.value.reason


def test_a_slow_authorization_times_out_as_unavailable(
    outside: OutsideServers, sealed_pdf: bytes, tsa: LocalTsa, tsp_trust: TrustStore
) -> None:
    url = _proxy(outside, fail="credentials/authorize", delay=3)
    signer = open_csc_signer(url, credential_id=CREDENTIAL, pin=outside.csc_pin(CREDENTIAL), timeout=0.5)
    with pytest.raises(ProviderUnavailableError) as caught:
        _approve(sealed_pdf, signer, tsa, tsp_trust)
    assert caught.value.dispatched is True


def test_a_failing_sign_hash_through_approve_is_unavailable(
    outside: OutsideServers, sealed_pdf: bytes, tsa: LocalTsa, tsp_trust: TrustStore
) -> None:
    url = _proxy(outside, fail="signatures/signHash", status=502)
    signer = open_csc_signer(url, credential_id=CREDENTIAL, pin=outside.csc_pin(CREDENTIAL))
    with pytest.raises(ProviderUnavailableError) as caught:
        _approve(sealed_pdf, signer, tsa, tsp_trust)
    assert caught.value.dispatched is True
    assert "signatures/signHash" in caught.value.reason
