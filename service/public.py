"""Public, key-less routes: the timestamp authority, the instance CA's certificates and CRLs, and its
OCSP responder.
"""

from __future__ import annotations

import base64
import binascii

from cryptography import x509
from flask import Blueprint, Response, current_app, request
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from service.composition import get_services
from service.db import get_session
from service.errors import UnsupportedMediaTypeError
from service.models import SignerKey
from signing import LocalTsa, respond_to_tsa_request
from signing.pki import OCSP_REQUEST_MIMETYPE, OCSP_RESPONSE_MIMETYPE, respond_to_ocsp_request

bp = Blueprint("public", __name__)

#: What the PKI folder publishes; private keys are never served.
PUBLISHED = {
    "root-ca.crl": ("root-ca.crl", "application/pkix-crl"),
    "issuing-ca.crl": ("issuing-ca.crl", "application/pkix-crl"),
    "root-ca.pem": ("root-ca.cert.pem", "application/x-pem-file"),
    "issuing-ca.pem": ("issuing-ca.cert.pem", "application/x-pem-file"),
    "tsa.pem": ("tsa.cert.pem", "application/x-pem-file"),
}


@bp.post("/tsa")
def timestamp_authority() -> Response:
    """RFC 3161 over HTTP, so outside tools can timestamp against the instance TSA."""
    if request.mimetype != "application/timestamp-query":
        raise UnsupportedMediaTypeError("Jenis isi harus application/timestamp-query.")
    tsa = get_services().timestamper()
    if not isinstance(tsa, LocalTsa):
        raise NotFound()
    # A malformed request gets an RFC 3161 rejection inside a 200, as the RFC asks.
    reply = respond_to_tsa_request(request.get_data(), tsa)
    return Response(reply, mimetype="application/timestamp-reply")


@bp.get("/pki/<name>")
def pki_file(name: str) -> Response:
    """A published CA certificate or CRL of the instance PKI."""
    if name not in PUBLISHED:
        raise NotFound()
    filename, mimetype = PUBLISHED[name]
    path = get_services().settings.pki_dir / filename
    if not path.is_file():
        raise NotFound()
    return Response(path.read_bytes(), mimetype=mimetype)


@bp.post("/pki/ocsp")
def ocsp_responder() -> Response:
    """RFC 6960 over HTTP (``POST``): the status of a certificate of the instance CA."""
    if request.mimetype != OCSP_REQUEST_MIMETYPE:
        raise UnsupportedMediaTypeError(f"Jenis isi harus {OCSP_REQUEST_MIMETYPE}.")
    return _ocsp_answer(request.get_data())


@bp.get("/pki/ocsp/<path:encoded>")
def ocsp_responder_get(encoded: str) -> Response:
    """RFC 6960 appendix A.1 ``GET``: the request DER, base64 and URL-encoded, in the path."""
    try:
        der = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        der = b""  # answered as a malformed request, like any other unreadable one
    return _ocsp_answer(der)


def _ocsp_answer(der: bytes) -> Response:
    # Errors are OCSP responses too (malformedRequest, unauthorized), inside a 200 as RFC 6960 asks.
    services = get_services()
    seal_serial = (
        services.seal_signer().certificate.serial_number
        if services.settings.seal_pkcs11 is not None
        else None
    )
    issued = _issued_serials()

    def known(serial: int) -> bool:
        return serial == seal_serial or serial in issued

    reply = respond_to_ocsp_request(der, services.pki(), issued=known)
    return Response(reply, mimetype=OCSP_RESPONSE_MIMETYPE)


def _issued_serials() -> set[int]:
    """Serials of every signer certificate the instance CA issued.

    Rows are kept and never changed, so each certificate is parsed once per process and remembered
    by row id; ids are compared as a set, not as "newer than the last", because a row with a lower
    id may commit after one with a higher id.
    """
    cache: dict[int, int] = current_app.extensions.setdefault("skp.issued_serials", {})
    session = get_session()
    ids = set(session.scalars(select(SignerKey.id).where(SignerKey.source == "issued")))
    unseen = ids - cache.keys()
    if unseen:
        rows = session.execute(
            select(SignerKey.id, SignerKey.certificate_pem).where(SignerKey.id.in_(unseen))
        )
        for row_id, pem in rows:
            try:
                cache[row_id] = x509.load_pem_x509_certificate(pem.encode()).serial_number
            except ValueError:
                continue
    return {cache[i] for i in ids if i in cache}
