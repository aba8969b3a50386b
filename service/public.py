"""Public, key-less routes: the timestamp authority and the instance CA's certificates and CRLs."""

from __future__ import annotations

from flask import Blueprint, Response, request
from werkzeug.exceptions import NotFound

from service.composition import get_services
from service.errors import UnsupportedMediaTypeError
from signing import LocalTsa, respond_to_tsa_request

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
