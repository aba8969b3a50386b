"""``/pki/ocsp``: the instance CA's OCSP responder over HTTP (RFC 6960 appendix A), POST and GET."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import quote

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from service.composition import get_services
from service.db import get_session
from service.models import SignerKey
from signing.issuing import new_signer, revoke
from signing.pki import DevPki
from signing.trust import TrustStore

MIMETYPE = "application/ocsp-request"


def _issue(app: Flask, nip: str, *, stored: bool = True, pki: DevPki | None = None) -> x509.Certificate:
    """A signer certificate of the instance CA; ``stored`` as an enrolled key, as enrollment keeps it."""
    with app.app_context():
        p12, signer = new_signer(
            pki or get_services().pki(),
            nama="Rina Wati",
            nip=nip,
            jabatan="Analis",
            instansi="Uji",
            passphrase=b"p" * 12,
            kdf_rounds=1000,
        )
        if stored:
            session = get_session()
            session.add(
                SignerKey(
                    instansi_key="uji",
                    nip=nip,
                    p12=p12,
                    certificate_pem=signer.certificate.public_bytes(serialization.Encoding.PEM).decode(),
                    source="issued",
                    enrolled_via="email",
                )
            )
            session.commit()
        return signer.certificate


def _request(app: Flask, cert: x509.Certificate) -> bytes:
    with app.app_context():
        issuing = get_services().pki().issuing_cert
    builder = ocsp.OCSPRequestBuilder().add_certificate(cert, issuing, hashes.SHA256())
    return builder.build().public_bytes(serialization.Encoding.DER)


def _post(client: FlaskClient, body: bytes) -> ocsp.OCSPResponse:
    response = client.post("/pki/ocsp", data=body, content_type=MIMETYPE)
    assert response.status_code == 200
    assert response.mimetype == "application/ocsp-response"
    return ocsp.load_der_ocsp_response(response.get_data())


def test_good_then_revoked_after_revoke(app: Flask, client: FlaskClient) -> None:
    cert = _issue(app, "199001012020011001")
    request = _request(app, cert)
    answer = _post(client, request)
    assert answer.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert answer.serial_number == cert.serial_number
    assert answer.next_update_utc is not None
    assert answer.next_update_utc > answer.this_update_utc
    with app.app_context():
        revoke(get_services().pki(), serial_number=cert.serial_number, reason=x509.ReasonFlags.superseded)
    answer = _post(client, request)
    assert answer.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert answer.revocation_reason == x509.ReasonFlags.superseded


def test_a_serial_the_instance_did_not_issue_is_unknown(app: Flask, client: FlaskClient) -> None:
    # Issued with the CA key but never enrolled here (e.g. made by hand): the service does not know it.
    cert = _issue(app, "199001012020011002", stored=False)
    assert _post(client, _request(app, cert)).certificate_status == ocsp.OCSPCertStatus.UNKNOWN
    with app.app_context():
        seal = get_services().pki().seal_cert
    assert _post(client, _request(app, seal)).certificate_status == ocsp.OCSPCertStatus.GOOD


def test_malformed_requests_get_an_ocsp_malformed_request(app: Flask, client: FlaskClient) -> None:
    for body in (b"", b"bukan OCSP", b"\x30\x03\x02\x01\x00"):
        assert _post(client, body).response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    bad_get = client.get("/pki/ocsp/bukan-base64!!")
    assert bad_get.status_code == 200
    assert ocsp.load_der_ocsp_response(bad_get.get_data()).response_status == (
        ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    )


def test_the_wrong_content_type_is_415(app: Flask, client: FlaskClient) -> None:
    response = client.post("/pki/ocsp", data=b"x", content_type="application/octet-stream")
    assert response.status_code == 415


def test_get_with_the_request_in_the_path(app: Flask, client: FlaskClient) -> None:
    cert = _issue(app, "199001012020011003")
    encoded = quote(base64.b64encode(_request(app, cert)).decode(), safe="")
    response = client.get(f"/pki/ocsp/{encoded}")
    assert response.status_code == 200
    answer = ocsp.load_der_ocsp_response(response.get_data())
    assert answer.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert answer.serial_number == cert.serial_number


@pytest.fixture
def served_url(app: Flask) -> Iterator[str]:
    """The app on a real socket of 127.0.0.1, for an outside validator to fetch from."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_an_outside_validator_fetches_the_status_from_the_responder(app: Flask, served_url: str) -> None:
    """pyHanko's own OCSP client (nonce, SHA-1 CertID) against the route, as any relying party would
    use it: a validator that has the root's CRL but not the issuing CA's must ask the responder."""
    with app.app_context():
        pki = replace(get_services().pki(), ocsp_url=f"{served_url}/pki/ocsp")
    cert = _issue(app, "199001012020011004", pki=pki)
    relying_party = TrustStore(
        roots=(pki.root_cert,), intermediates=(pki.issuing_cert,), crls=(pki.root_crl,)
    )
    assert relying_party.check_certificate(cert, fetch=True) is None
    # Offline, the same validator cannot tell: the status is only at the responder.
    offline = relying_party.check_certificate(cert)
    assert offline is not None
    assert "tidak dapat dipastikan" in offline
    with app.app_context():
        revoke(get_services().pki(), serial_number=cert.serial_number, reason=x509.ReasonFlags.key_compromise)
    revoked = relying_party.check_certificate(cert, fetch=True)
    assert revoked is not None
    assert "dicabut" in revoked
