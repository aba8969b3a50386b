"""Timestamp authorities (RFC 3161): who vouches for the time of a signature.

:class:`Timestamper` is what :mod:`signing.pdf` needs. Implementations:

* :class:`LocalTsa` — a real RFC 3161 authority running in-process on the instance PKI's TSA key
  (the embedded default); :func:`respond_to_tsa_request` lets the web service answer
  ``application/timestamp-query`` requests with it, so outside tools can use it too;
* :class:`HttpTsa` — an external TSA reached over HTTP(S).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from asn1crypto import cms, core, tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pyhanko.sign.general import as_signing_certificate, simple_cms_attribute
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from signing._asn1 import cert_to_asn1, key_to_asn1

__all__ = [
    "TIMESTAMP_QUERY_MIMETYPE",
    "TIMESTAMP_REPLY_MIMETYPE",
    "HttpTsa",
    "LocalTsa",
    "Timestamper",
    "respond_to_tsa_request",
]

TIMESTAMP_QUERY_MIMETYPE = "application/timestamp-query"
TIMESTAMP_REPLY_MIMETYPE = "application/timestamp-reply"

#: Digest algorithms the local TSA accepts in a request's message imprint.
_ACCEPTED_DIGESTS = {"sha256": 32, "sha384": 48, "sha512": 64}


@runtime_checkable
class Timestamper(Protocol):
    """What the signing functions need from a timestamp authority."""

    @property
    def pyhanko_timestamper(self) -> TimeStamper:
        """The pyHanko timestamper that fetches RFC 3161 tokens."""


class _ParsedKeyTimeStamper(DummyTimeStamper):
    """pyHanko's in-process TSA, signing with a key parsed once (pitfall P9)."""

    def __init__(self, *, private_key: rsa.RSAPrivateKey, tsa_cert: Any, chain: Sequence[Any]):
        registry = SimpleCertificateStore()  # type: ignore[no-untyped-call]
        registry.register_multiple(chain)
        super().__init__(tsa_cert=tsa_cert, tsa_key=key_to_asn1(private_key), certs_to_embed=registry)
        self._private_key = private_key

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, dt: datetime
    ) -> tuple[bytes, cms.CMSAttributes]:
        # Same attributes as DummyTimeStamper._sign_tst_info; only the key handling differs.
        md = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        md.update(tst_info_data)
        signed_attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),  # type: ignore[no-untyped-call]
                simple_cms_attribute("signing_time", cms.Time({"utc_time": dt})),  # type: ignore[no-untyped-call]
                simple_cms_attribute(  # type: ignore[no-untyped-call]
                    "signing_certificate", as_signing_certificate(self.tsa_cert)
                ),
                simple_cms_attribute("message_digest", md.finalize()),  # type: ignore[no-untyped-call]
            ]
        )
        signature = self._private_key.sign(
            signed_attrs.dump(), padding.PKCS1v15(), get_pyca_cryptography_hash(md_algorithm)
        )
        return signature, signed_attrs


class LocalTsa:
    """An RFC 3161 time-stamping authority in this process, on the instance PKI's TSA key.

    :param private_key: The TSA's RSA key (parsed once, reused).
    :param certificate: The TSA certificate (EKU ``timeStamping``, critical).
    :param chain: Issuing CA (and root) certificates embedded in each token.
    """

    def __init__(
        self,
        *,
        private_key: rsa.RSAPrivateKey,
        certificate: x509.Certificate,
        chain: Sequence[x509.Certificate] = (),
    ) -> None:
        self._certificate = certificate
        self._stamper = _ParsedKeyTimeStamper(
            private_key=private_key,
            tsa_cert=cert_to_asn1(certificate),
            chain=[cert_to_asn1(c) for c in chain],
        )

    @property
    def pyhanko_timestamper(self) -> TimeStamper:
        """The pyHanko timestamper (no network involved)."""
        return self._stamper

    @property
    def certificate(self) -> x509.Certificate:
        """The TSA certificate."""
        return self._certificate

    def respond(self, request: Any) -> Any:
        """Answer a parsed ``asn1crypto.tsp.TimeStampReq`` with a ``TimeStampResp``."""
        return self._stamper.request_tsa_response(request)


class HttpTsa:
    """An external RFC 3161 authority over HTTP(S).

    Built on pyHanko's ``requests`` client rather than its ``aiohttp`` one: pyHanko's synchronous
    API starts a fresh event loop per signature, which an ``aiohttp`` session cannot outlive.

    :param url: The TSA endpoint.
    :param timeout: Seconds to wait for an answer.
    :param auth_header: Value of the ``Authorization`` header, if the TSA needs one.
    """

    def __init__(self, url: str, *, timeout: float = 10, auth_header: str | None = None) -> None:
        headers = {"Authorization": auth_header} if auth_header else None
        self.url = url
        self._stamper = RequestsHTTPTimeStamper(url, timeout=timeout, headers=headers)  # type: ignore[no-untyped-call]

    @property
    def pyhanko_timestamper(self) -> TimeStamper:
        """The pyHanko HTTP timestamper."""
        return self._stamper


def respond_to_tsa_request(request_der: bytes, tsa: LocalTsa) -> bytes:
    """Answer an RFC 3161 request body with a DER response (both sides of a HTTP TSA).

    The body of a ``POST`` with content type ``application/timestamp-query`` goes in; the
    ``application/timestamp-reply`` body comes out. A malformed request or an unsupported digest
    gets a ``rejection`` response with the matching failure bit, as RFC 3161 §2.4.2 asks, rather
    than an exception: the HTTP status stays 200 either way.

    :param request_der: DER-encoded ``TimeStampReq``.
    :param tsa: The local authority that signs the token.
    :return: DER-encoded ``TimeStampResp``.
    """
    try:
        request = tsp.TimeStampReq.load(request_der, strict=True)
        version = request["version"].native
        imprint = request["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        digest = imprint["hashed_message"].native
    except (ValueError, TypeError, KeyError):
        return _rejection("bad_data_format", "request is not a DER TimeStampReq")
    if version != "v1":
        return _rejection("bad_request", "only version 1 requests are supported")
    expected = _ACCEPTED_DIGESTS.get(str(algorithm))
    if expected is None:
        return _rejection("bad_alg", f"digest algorithm {algorithm} not accepted")
    if len(digest) != expected:
        return _rejection("bad_data_format", "message imprint length does not match its algorithm")
    if request["req_policy"].native is not None:
        return _rejection("unaccepted_policy", "no policy other than the default is offered")
    response = tsa.respond(request)
    der: bytes = response.dump()
    return der


def _rejection(failure: str, text: str) -> bytes:
    status = tsp.PKIStatusInfo(
        {
            "status": "rejection",
            "status_string": [text],
            "fail_info": tsp.PKIFailureInfo({failure}),
        }
    )
    der: bytes = _StatusOnlyResp({"status": status}).dump()
    return der


class _StatusOnlyResp(core.Sequence):  # type: ignore[misc]
    """``TimeStampResp`` without a token: asn1crypto declares the token mandatory, RFC 3161 not."""

    _fields = [("status", tsp.PKIStatusInfo)]  # noqa: RUF012 - asn1crypto's declaration style
