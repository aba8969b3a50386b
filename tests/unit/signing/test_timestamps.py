"""The local RFC 3161 authority: as a library object, over HTTP, and its key handling."""

from __future__ import annotations

import asyncio
import hashlib
import socket
from collections.abc import Iterator

import pytest
from asn1crypto import core, tsp
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data

from signing.errors import TimestampError
from signing.pdf import seal
from signing.signers import Pkcs12Signer
from signing.timestamps import HttpTsa, LocalTsa, respond_to_tsa_request
from signing.trust import TrustStore
from signing.validation import validate
from tests.unit.signing.support import serve_tsa

SIGNED_DATA_OID = bytes.fromhex("06092a864886f70d010702")  # 1.2.840.113549.1.7.2


def _request(digest: bytes, algorithm: str = "sha256", **extra: object) -> bytes:
    fields = {
        "version": "v1",
        "message_imprint": {"hash_algorithm": {"algorithm": algorithm}, "hashed_message": digest},
        "nonce": 0x5EED,
        "cert_req": True,
        **extra,
    }
    der: bytes = tsp.TimeStampReq(fields).dump()
    return der


def test_granted_token_is_valid_and_binds_the_imprint(tsa: LocalTsa, trust: TrustStore) -> None:
    digest = hashlib.sha256(b"isi dokumen").digest()
    response = tsp.TimeStampResp.load(respond_to_tsa_request(_request(digest), tsa))
    assert response["status"]["status"].native == "granted"
    signed_data = response["time_stamp_token"]["content"]
    tst_info = signed_data["encap_content_info"]["content"].parsed
    assert tst_info["message_imprint"]["hashed_message"].native == digest
    assert tst_info["nonce"].native == 0x5EED
    status = asyncio.run(
        validate_tst_signed_data(
            signed_data, trust.validation_context(), expected_tst_imprint=lambda _md: digest
        )
    )
    assert status["intact"]
    assert status["valid"]


@pytest.mark.parametrize(
    ("body", "failure"),
    [
        (b"bukan permintaan", "bad_data_format"),
        (_request(hashlib.md5(b"x").digest(), "md5"), "bad_alg"),  # noqa: S324 - rejected on purpose
        (_request(b"\x00" * 20), "bad_data_format"),  # sha256 claimed, 20 bytes given
        (_request(b"\x00" * 32, req_policy="1.2.3.4"), "unaccepted_policy"),
    ],
    ids=["garbage", "md5", "wrong-length", "policy"],
)
def test_bad_requests_are_rejected_not_raised(tsa: LocalTsa, body: bytes, failure: str) -> None:
    der = respond_to_tsa_request(body, tsa)
    # asn1crypto's TimeStampResp insists on a token, so read the status by hand.
    status = tsp.PKIStatusInfo.load(core.Sequence.load(der)[0].dump())
    assert status["status"].native == "rejection"
    assert failure in status["fail_info"].native
    assert SIGNED_DATA_OID not in der  # no token


@pytest.fixture
def tsa_url(tsa: LocalTsa) -> Iterator[str]:
    """The local TSA served over HTTP on 127.0.0.1, as the web service will serve it."""
    with serve_tsa(tsa) as served:
        yield served.url


def test_http_tsa_against_the_served_local_tsa(
    *, tsa_url: str, unsigned_pdf: bytes, sealer: Pkcs12Signer, trust: TrustStore
) -> None:
    sealed = seal(unsigned_pdf, signer=sealer, timestamper=HttpTsa(tsa_url), trust=trust)
    report = validate(sealed, trust)
    seal_report = report.signature("segel")
    assert seal_report.timestamp is not None
    assert seal_report.timestamp.ok
    assert seal_report.timestamp.tsa == "Pemerintah Kabupaten Contoh TSA"
    assert report.ok


def test_unreachable_tsa_is_a_timestamp_error(
    *, unsigned_pdf: bytes, sealer: Pkcs12Signer, trust: TrustStore
) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(TimestampError):
        seal(
            unsigned_pdf,
            signer=sealer,
            timestamper=HttpTsa(f"http://127.0.0.1:{port}/", timeout=2),
            trust=trust,
        )


def test_private_keys_are_parsed_once_not_per_signature(
    *,
    monkeypatch: pytest.MonkeyPatch,
    unsigned_pdf: bytes,
    sealer: Pkcs12Signer,
    tsa: LocalTsa,
    trust: TrustStore,
) -> None:
    """Pitfall P9: pyHanko's SimpleSigner/DummyTimeStamper re-parse the key on every use."""
    calls = []
    original = serialization.load_der_private_key

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(serialization, "load_der_private_key", counting)
    monkeypatch.setattr(serialization, "load_pem_private_key", counting)
    sealed = seal(unsigned_pdf, signer=sealer, timestamper=tsa, trust=trust)
    assert validate(sealed, trust).ok
    assert calls == []
