"""The :class:`~signing.timestamps.Timestamper` contract, run against every implementation.

``local`` is the in-process authority on the dev PKI's TSA key; ``http`` is :class:`HttpTsa`
talking RFC 3161 over real HTTP to that same authority, served on 127.0.0.1 by a thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from asn1crypto import tsp
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data

from signing.pdf import seal
from signing.pki import DevPki
from signing.signers import Pkcs12Signer
from signing.timestamps import HttpTsa, LocalTsa, Timestamper
from signing.trust import TrustStore
from signing.validation import validate
from tests.unit.signing.support import ServedTsa, serve_tsa

IMPLEMENTATIONS = {"http": HttpTsa, "local": LocalTsa}


@pytest.fixture(scope="module")
def served_tsa(tsa: LocalTsa) -> Iterator[ServedTsa]:
    with serve_tsa(tsa) as served:
        yield served


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def timestamper(request: pytest.FixtureRequest, tsa: LocalTsa) -> Timestamper:
    if request.param == "local":
        return tsa
    served: ServedTsa = request.getfixturevalue("served_tsa")
    return HttpTsa(served.url, timeout=5)


def _stamp(timestamper: Timestamper, digest: bytes) -> tuple[Any, Any]:
    """Ask for a token on ``digest`` the way pyHanko does; the request and the response."""
    stamper = timestamper.pyhanko_timestamper
    _nonce, request = stamper.request_cms(digest, "sha256")  # type: ignore[no-untyped-call]
    response = asyncio.run(stamper.async_request_tsa_response(request))
    return request, response


def test_is_a_timestamper(request: pytest.FixtureRequest, timestamper: Timestamper) -> None:
    assert isinstance(timestamper, IMPLEMENTATIONS[request.node.callspec.params["timestamper"]])
    assert isinstance(timestamper, Timestamper)


def test_token_verifies_and_binds_imprint_and_nonce(
    *, timestamper: Timestamper, trust: TrustStore, pki: DevPki
) -> None:
    digest = hashlib.sha256(os.urandom(32)).digest()
    request, response = _stamp(timestamper, digest)
    assert request["nonce"].native is not None
    assert response["status"]["status"].native == "granted"

    signed_data = response["time_stamp_token"]["content"]
    tst_info = signed_data["encap_content_info"]["content"].parsed
    assert tst_info["message_imprint"]["hash_algorithm"]["algorithm"].native == "sha256"
    assert tst_info["message_imprint"]["hashed_message"].native == digest
    assert tst_info["nonce"].native == request["nonce"].native
    assert abs(tst_info["gen_time"].native - datetime.now(UTC)) < timedelta(minutes=1)

    status = asyncio.run(
        validate_tst_signed_data(
            signed_data, trust.validation_context(), expected_tst_imprint=lambda _md: digest
        )
    )
    assert status["intact"]
    assert status["valid"]
    assert status["trust_problem_indic"] is None
    assert status["signing_cert"].dump() == pki.tsa_cert.public_bytes(serialization.Encoding.DER)


def test_every_token_gets_its_own_serial_and_nonce(timestamper: Timestamper) -> None:
    digest = hashlib.sha256(b"sama").digest()
    tokens = [_stamp(timestamper, digest)[1]["time_stamp_token"] for _ in range(2)]
    infos = [t["content"]["encap_content_info"]["content"].parsed for t in tokens]
    assert infos[0]["serial_number"].native != infos[1]["serial_number"].native
    assert infos[0]["nonce"].native != infos[1]["nonce"].native


def test_seal_timestamp_validates(
    *, timestamper: Timestamper, unsigned_pdf: bytes, sealer: Pkcs12Signer, trust: TrustStore
) -> None:
    sealed = seal(unsigned_pdf, signer=sealer, timestamper=timestamper, trust=trust)
    report = validate(sealed, trust)
    timestamp = report.signature("segel").timestamp
    assert timestamp is not None
    assert timestamp.ok
    assert timestamp.tsa == "Pemerintah Kabupaten Contoh TSA"
    assert report.ok


def test_http_tsa_really_goes_over_http(served_tsa: ServedTsa) -> None:
    before = len(served_tsa.requests)
    digest = hashlib.sha256(b"lewat jaringan").digest()
    request, _response = _stamp(HttpTsa(served_tsa.url, timeout=5), digest)
    assert served_tsa.requests[before:] == [request.dump()]
    assert tsp.TimeStampReq.load(served_tsa.requests[-1])["nonce"].native == request["nonce"].native
