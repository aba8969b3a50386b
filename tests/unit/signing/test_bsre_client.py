"""The BSrE eSign Client Service v2 client against the live contract server: statuses, TOTP, batch
signing in input order, placement, and every error class (401, 2011, 2021, 2031, 500, timeout, down)."""

from __future__ import annotations

import logging
import socket
from datetime import datetime, timedelta, timezone
from io import BytesIO

import pytest
from aiohttp import web
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader

from signing._asn1 import cert_from_asn1
from signing.bsre import BSRE_STATUS_MESSAGES, BsreAppearance, BsreClient
from signing.errors import (
    BsreConfigurationError,
    BsreError,
    BsreUserError,
    BsreWrongPassphraseError,
    ProviderUnavailableError,
    WrongPassphraseError,
)
from signing.pdf import StampInfo
from signing.signers import subject_id_digits
from signing.stamp_image import stamp_png
from tests.outside.bsre_server import EXPIRED_NIK, BsreContractServer
from tests.outside.pki import PEOPLE
from tests.outside.servers import OutsideServers
from tests.unit.signing.provider_support import (  # noqa: F401  (fixtures)
    CLIENT_ID,
    CLIENT_SECRET,
    PEGAWAI_FIELD,
    client_fixture,
    field_appearance,
)
from tests.unit.signing.support import sample_pdf

PEGAWAI = PEOPLE["pegawai"]
PENILAI = PEOPLE["pejabat_penilai"]
PASSPHRASE = "rahasia-pegawai"
WIB = timezone(timedelta(hours=7))


def _new_signatures(signed: bytes) -> list[tuple[str, list[float], str | None]]:
    """(field name, widget /Rect, signer serialNumber digits) of every signature in ``signed``."""
    reader = PdfFileReader(BytesIO(signed))
    found = []
    for es in reader.embedded_regular_signatures:
        rect = [float(v) for v in es.sig_field.get("/Rect", [])]
        found.append((str(es.field_name), rect, subject_id_digits(cert_from_asn1(es.signer_cert))))
    return found


def _paints_an_image(xobject: object) -> bool:
    resources = getattr(xobject, "get", lambda _k, _d=None: None)("/Resources")
    if resources is None or "/XObject" not in resources:
        return False
    for ref in resources["/XObject"].values():
        child = ref.get_object()
        if child.get("/Subtype") == "/Image" or _paints_an_image(child):
            return True
    return False


def test_stamp_png_is_200_dpi_with_a_qr_code_and_text() -> None:
    stamp = StampInfo(
        nama="Ir. Lestari Handayani, M.T. dengan nama yang sangat panjang sekali",
        nip=PEOPLE["atasan_pejabat_penilai"].nip,
        peran_label="Atasan Pejabat Penilai Kinerja",
        waktu=datetime(2026, 1, 5, 9, 30, tzinfo=WIB),
        verify_url="https://skp.example.go.id/v/ABCD-1234",
    )
    png = stamp_png(stamp, width_pt=170, height_pt=80, penyedia="BSrE")
    image = Image.open(BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (round(170 * 200 / 72), round(80 * 200 / 72))
    assert [round(float(d)) for d in image.info["dpi"]] == [200, 200]
    gray = image.convert("L")
    width, height = gray.size
    qr = gray.crop((0, 0, height, height))
    text = gray.crop((height + 10, 0, width - 5, height))
    # The QR code is about half dark modules; the text area has ink but is mostly white.
    qr_dark = sum(1 for p in qr.tobytes() if p < 128) / (qr.width * qr.height)
    text_dark = sum(1 for p in text.tobytes() if p < 128) / (text.width * text.height)
    assert 0.3 < qr_dark < 0.7
    assert 0.01 < text_dark < 0.3
    with pytest.raises(ValueError, match="positive size"):
        stamp_png(stamp, width_pt=0, height_pt=80, penyedia="BSrE")


# -- user status ----------------------------------------------------------------------------------


def test_user_status_of_a_registered_official_can_sign(client: BsreClient) -> None:
    status = client.user_status(PEGAWAI.nik)
    assert status.status == "ISSUE"
    assert status.can_sign
    assert status.pesan == BSRE_STATUS_MESSAGES["ISSUE"]


def test_user_status_of_an_unknown_nik_is_not_registered(client: BsreClient) -> None:
    status = client.user_status("3578999999999999")
    assert status.status == "NOT_REGISTERED"
    assert not status.can_sign
    assert "belum terdaftar" in status.pesan


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("EXPIRED", "kedaluwarsa"),
        ("RENEW", "pembaruan"),
        ("WAITING_FOR_VERIFICATION", "menunggu verifikasi"),
        ("NEW", "belum diproses"),
        ("NO_CERTIFICATE", "belum memiliki sertifikat"),
        ("SUSPEND", "ditangguhkan"),
        ("REVOKE", "dicabut"),
    ],
)
def test_each_status_other_than_issue_cannot_sign_and_says_why(
    client: BsreClient, bsre: BsreContractServer, status: str, words: str
) -> None:
    bsre.assign_certificate(PENILAI.nik, "pejabat_penilai", status=status)
    found = client.user_status(PENILAI.nik)
    assert found.status == status
    assert not found.can_sign
    assert words in found.pesan


def test_the_expired_account_reports_expired(client: BsreClient) -> None:
    assert client.user_status(EXPIRED_NIK).status == "EXPIRED"


# -- signing --------------------------------------------------------------------------------------


def test_two_files_come_back_signed_in_input_order(client: BsreClient, bsre: BsreContractServer) -> None:
    first, second = sample_pdf(pages=1), sample_pdf(pages=3)
    assert first != second
    signed = client.sign(
        [first, second],
        nik=PEGAWAI.nik,
        passphrase=PASSPHRASE,
        appearances=[
            BsreAppearance(page=1, x=100, y=200, width=150, height=60),
            BsreAppearance(page=3, x=300, y=50, width=120, height=40),
        ],
    )
    assert len(signed) == 2
    assert signed[0].startswith(first)
    assert signed[1].startswith(second)
    ((_name0, rect0, who0),) = _new_signatures(signed[0])
    ((name1, rect1, who1),) = _new_signatures(signed[1])
    assert rect0 == [100, 200, 250, 260]
    assert rect1 == [300, 50, 420, 90]
    assert who0 == who1 == PEGAWAI.nik
    page3 = PdfFileReader(BytesIO(signed[1])).root["/Pages"]["/Kids"][2].get_object()
    assert any(a.get_object().get("/T") == name1 for a in page3["/Annots"])
    # One request for both files; the passphrase never reaches the server's record unredacted.
    (sign_request,) = [r for r in bsre.requests if r.path == "/api/v2/sign/pdf"]
    assert sign_request.body["passphrase"] == "***"


def test_a_stamp_image_is_sent_with_the_placement_of_the_field(
    client: BsreClient, bsre: BsreContractServer, sealed_pdf: bytes
) -> None:
    x1, y1, x2, y2 = PEGAWAI_FIELD.box
    stamp = StampInfo(
        nama=PEGAWAI.nama,
        nip=PEGAWAI.nip,
        peran_label="Pegawai yang Dinilai",
        waktu=datetime.now(WIB),
        verify_url="https://skp.example.go.id/v/BSRE-0001",
    )
    png = stamp_png(stamp, width_pt=x2 - x1, height_pt=y2 - y1, penyedia="BSrE")
    (signed,) = client.sign(
        [sealed_pdf],
        nik=PEGAWAI.nik,
        passphrase=PASSPHRASE,
        appearances=[
            field_appearance(image_png=png, reason="Menyetujui dokumen sebagai Pegawai yang Dinilai")
        ],
    )
    new = [s for s in _new_signatures(signed) if s[0] != "segel"]
    assert [rect for _n, rect, _w in new] == [[float(v) for v in PEGAWAI_FIELD.box]]
    # BSrE drew our PNG: the new widget's appearance paints an image XObject.
    reader = PdfFileReader(BytesIO(signed))
    (widget,) = [es.sig_field for es in reader.embedded_regular_signatures if str(es.field_name) == new[0][0]]
    assert _paints_an_image(widget["/AP"]["/N"])
    (sign_request,) = [r for r in bsre.requests if r.path == "/api/v2/sign/pdf"]
    (props,) = sign_request.body["signatureProperties"]
    assert props["tampilan"] == "VISIBLE"
    assert props["imageBase64"]
    assert props["reason"].endswith("Pegawai yang Dinilai")


def test_sign_with_a_totp_instead_of_the_passphrase(client: BsreClient, bsre: BsreContractServer) -> None:
    client.request_totp(PEGAWAI.nik, 1)
    totp = bsre.last_totp(PEGAWAI.nik)
    (signed,) = client.sign(
        [sample_pdf(pages=1)], nik=PEGAWAI.nik, totp=totp, appearances=[BsreAppearance(visible=False)]
    )
    assert [who for _n, _r, who in _new_signatures(signed)] == [PEGAWAI.nik]


def test_a_wrong_totp_is_a_wrong_passphrase(client: BsreClient) -> None:
    client.request_totp(PEGAWAI.nik, 1)
    with pytest.raises(BsreWrongPassphraseError):
        client.sign(
            [sample_pdf(pages=1)], nik=PEGAWAI.nik, totp="000000", appearances=[BsreAppearance(visible=False)]
        )


# -- errors ---------------------------------------------------------------------------------------


def test_a_wrong_passphrase_is_2031_and_is_never_logged(
    client: BsreClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "salah-sekali-987"
    with pytest.raises(BsreWrongPassphraseError) as caught:
        client.sign(
            [sample_pdf(pages=1)], nik=PEGAWAI.nik, passphrase=secret, appearances=[field_appearance()]
        )
    error = caught.value
    assert isinstance(error, WrongPassphraseError)  # counted toward the lock like any wrong passphrase
    assert error.status_code == 2031
    assert secret not in error.message
    assert secret not in repr(error.args)
    assert error.__cause__ is None
    assert error.__context__ is None
    assert all(secret not in r.getMessage() for r in caplog.records)


def test_an_unregistered_nik_is_2011(client: BsreClient) -> None:
    with pytest.raises(BsreUserError) as caught:
        client.sign(
            [sample_pdf(pages=1)], nik="3578999999999999", passphrase="x", appearances=[field_appearance()]
        )
    assert caught.value.status == "NOT_REGISTERED"
    assert caught.value.status_code == 2011
    assert "belum terdaftar" in caught.value.message


def test_a_user_without_certificate_is_2021(client: BsreClient, bsre: BsreContractServer) -> None:
    bsre.assign_certificate(PENILAI.nik, None)
    with pytest.raises(BsreUserError) as caught:
        client.sign(
            [sample_pdf(pages=1)],
            nik=PENILAI.nik,
            passphrase="rahasia-pejabat_penilai",
            appearances=[field_appearance()],
        )
    assert caught.value.status == "NO_CERTIFICATE"
    assert caught.value.status_code == 2021


def test_wrong_client_credentials_are_a_configuration_error(bsre: BsreContractServer) -> None:
    assert bsre.url is not None
    with BsreClient(bsre.url, CLIENT_ID, "bukan-rahasianya", timeout=10) as wrong:
        with pytest.raises(BsreConfigurationError, match="client id/secret"):
            wrong.user_status(PEGAWAI.nik)
        with pytest.raises(BsreConfigurationError):
            wrong.sign(
                [sample_pdf(pages=1)],
                nik=PEGAWAI.nik,
                passphrase=PASSPHRASE,
                appearances=[field_appearance()],
            )


def test_a_500_is_unavailable_dispatched_and_not_retried(
    client: BsreClient, bsre: BsreContractServer
) -> None:
    bsre.fail_with_500 = True
    with pytest.raises(ProviderUnavailableError) as caught:
        client.sign(
            [sample_pdf(pages=1)], nik=PEGAWAI.nik, passphrase=PASSPHRASE, appearances=[field_appearance()]
        )
    assert caught.value.dispatched is True
    assert "HTTP 500" in caught.value.reason
    assert [r.path for r in bsre.requests] == ["/api/v2/sign/pdf"]


def test_a_timeout_is_unavailable_dispatched_and_not_retried(
    bsre: BsreContractServer, outside: OutsideServers
) -> None:
    assert bsre.url is not None
    bsre.delay_seconds = 3
    mark = len(outside.requests)
    with (
        BsreClient(bsre.url, CLIENT_ID, CLIENT_SECRET, timeout=0.5) as slow,
        pytest.raises(ProviderUnavailableError) as caught,
    ):
        slow.sign(
            [sample_pdf(pages=1)], nik=PEGAWAI.nik, passphrase=PASSPHRASE, appearances=[field_appearance()]
        )
    assert caught.value.dispatched is True
    assert "0.5 detik" in caught.value.message
    # The request arrived once (logged on arrival) and is still being served; no second attempt.
    arrived = [r.path for r in outside.requests[mark:] if r.path.startswith("/api/")]
    assert arrived == ["/api/v2/sign/pdf"]


def test_a_service_that_is_down_is_unavailable_and_not_dispatched() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with (
        BsreClient(f"http://127.0.0.1:{port}", CLIENT_ID, "x", timeout=5) as down,
        pytest.raises(ProviderUnavailableError) as caught,
    ):
        down.user_status(PEGAWAI.nik)
    assert caught.value.dispatched is False
    assert caught.value.provider == "BSrE"


def test_an_answer_with_the_wrong_number_of_files_is_an_error(outside: OutsideServers) -> None:
    """A service answering one file for two: a small stand-in, since the contract server never does."""

    async def one_file(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response({"time": 1, "file": body["file"][:1]})

    app = web.Application()
    app.router.add_post("/api/v2/sign/pdf", one_file)
    url = outside.add_app(app, name="bsre-short")
    with (
        BsreClient(url, CLIENT_ID, "x", timeout=10) as short,
        pytest.raises(BsreError, match="1 berkas untuk 2"),
    ):
        short.sign(
            [sample_pdf(pages=1), sample_pdf(pages=2)],
            nik=PEGAWAI.nik,
            passphrase=PASSPHRASE,
            appearances=[field_appearance()],
        )


def test_exactly_one_of_passphrase_and_totp(client: BsreClient) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        client.sign([b"%PDF-1.7"], nik=PEGAWAI.nik, appearances=[field_appearance()])
    with pytest.raises(ValueError, match="exactly one"):
        client.sign(
            [b"%PDF-1.7"], nik=PEGAWAI.nik, passphrase="a", totp="b", appearances=[field_appearance()]
        )
