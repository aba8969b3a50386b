"""The BSrE contract test server against bsre.md: auth, statuses, error codes, batch signing, TOTP,
placement and each fault switch, checked on the returned bytes with pyHanko and pypdf.
"""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureStatus
from pyhanko_certvalidator import ValidationContext

from tests.outside.bsre_server import EXPIRED_NIK, REVOKED_NIK, BsreContractServer, full_rewrite
from tests.outside.nss import nss_db
from tests.outside.pki import PEOPLE
from tests.outside.servers import OutsideServers
from tests.unit.signing.support import pdfsig, sample_pdf

CLIENT_ID = "dinas-kominfo"
CLIENT_SECRET = "rahasia-klien-uji"
AUTH = (CLIENT_ID, CLIENT_SECRET)
PEGAWAI = PEOPLE["pegawai"]
PENILAI = PEOPLE["pejabat_penilai"]
SPRING_KEYS = {"timestamp", "status", "error", "path"}
VISIBLE = {"tampilan": "VISIBLE", "page": 1, "originX": 100, "originY": 200, "width": 150, "height": 60}
INVISIBLE = {"tampilan": "INVISIBLE"}


@pytest.fixture(scope="module")
def server_module(outside: OutsideServers) -> BsreContractServer:
    server = BsreContractServer(outside.pki, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    server.serve_on(outside)
    return server


@pytest.fixture
def bsre(server_module: BsreContractServer) -> Iterator[BsreContractServer]:
    server_module.reset()
    yield server_module
    server_module.reset()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def post(server: BsreContractServer, path: str, body: Any, *, auth: Any = AUTH, timeout: float = 60) -> Any:
    return requests.post(f"{server.url}{path}", json=body, auth=auth, timeout=timeout)


def sign(
    server: BsreContractServer,
    files: list[bytes],
    *,
    nik: str = PEGAWAI.nik,
    passphrase: str | None = "rahasia-pegawai",
    props: list[dict[str, Any]] | None = None,
    timeout: float = 60,
    **extra: Any,
) -> requests.Response:
    body: dict[str, Any] = {
        "nik": nik,
        "signatureProperties": props or [VISIBLE],
        "file": [b64(f) for f in files],
    }
    if passphrase is not None:
        body["passphrase"] = passphrase
    body.update(extra)
    response: requests.Response = post(server, "/api/v2/sign/pdf", body, timeout=timeout)
    return response


def signed_files(response: requests.Response) -> list[bytes]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"time", "file"}
    assert isinstance(body["time"], int)
    return [base64.b64decode(f) for f in body["file"]]


def vc(outside: OutsideServers) -> ValidationContext:
    root = asn1_x509.Certificate.load(outside.pki.root("bsre").public_bytes(Encoding.DER))
    return ValidationContext(trust_roots=[root], allow_fetching=True)


def validate_all(outside: OutsideServers, pdf: bytes) -> list[PdfSignatureStatus]:
    reader = PdfFileReader(io.BytesIO(pdf))
    context = vc(outside)
    return [validate_pdf_signature(s, signer_validation_context=context) for s in reader.embedded_signatures]


def subject_nik(status: SignatureStatus) -> str:
    return str(status.signing_cert.subject.native["serial_number"])


def widget(pdf: bytes, index: int = -1) -> tuple[generic.DictionaryObject, int]:
    """The widget of the ``index``-th signature field and its 0-based page."""
    reader = PdfFileReader(io.BytesIO(pdf))
    field = reader.embedded_signatures[index].sig_field
    for page_index in range(int(reader.root["/Pages"]["/Count"])):
        page = reader.root["/Pages"]["/Kids"][page_index]
        for annot in page.get("/Annots", []):
            if annot.get_object() is field or annot.get_object().get("/Parent") is field:
                return annot.get_object(), page_index
    if "/Rect" in field:
        return field, -1
    raise AssertionError("no widget for the signature field")


def text_pdf(text: str, *, x: int, y: int, pages: int = 1, on_page: int = 1) -> bytes:
    """A Helvetica page (or several) with ``text`` drawn at (x, y) on ``on_page``."""
    writer = PdfFileWriter()
    font = writer.add_object(
        generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Font"),
                pdf_name("/Subtype"): pdf_name("/Type1"),
                pdf_name("/BaseFont"): pdf_name("/Helvetica"),
                pdf_name("/Encoding"): pdf_name("/WinAnsiEncoding"),
            }
        )
    )
    for i in range(1, pages + 1):
        here = (x, y, text) if i == on_page else (72, 770, "Lampiran")
        ops = "BT /F1 12 Tf {} {} Td ({}) Tj ET".format(*here)
        content = generic.StreamObject(stream_data=ops.encode("latin-1"))
        writer.insert_page(
            generic.DictionaryObject(
                {
                    pdf_name("/Type"): pdf_name("/Page"),
                    pdf_name("/MediaBox"): generic.ArrayObject(
                        [generic.NumberObject(v) for v in (0, 0, 595, 842)]
                    ),
                    pdf_name("/Resources"): generic.DictionaryObject(
                        {pdf_name("/Font"): generic.DictionaryObject({pdf_name("/F1"): font})}
                    ),
                    pdf_name("/Contents"): writer.add_object(content),
                }
            )
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png(width: int = 40, height: int = 20, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (200, 30, 30, 128)[: len(mode)]).save(out, format="PNG")
    return out.getvalue()


def assert_bsre_b_t(outside: OutsideServers, sent: bytes, returned: bytes, *, nik: str = PEGAWAI.nik) -> None:
    """One new, trusted PAdES B-T signature by ``nik`` appended to exactly the bytes sent; no DSS."""
    assert returned.startswith(sent)
    before = len(PdfFileReader(io.BytesIO(sent)).embedded_signatures)
    reader = PdfFileReader(io.BytesIO(returned))
    assert len(reader.embedded_signatures) == before + 1
    assert reader.xrefs.total_revisions == PdfFileReader(io.BytesIO(sent)).xrefs.total_revisions + 1
    assert "/DSS" not in reader.root
    new = reader.embedded_signatures[-1]
    assert new.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    status = validate_pdf_signature(new, signer_validation_context=vc(outside))
    assert status.bottom_line, status.pretty_print_details()
    assert status.coverage.name == "ENTIRE_FILE"
    assert subject_nik(status) == nik
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.valid
    assert status.timestamp_validity.trusted
    tsa = status.timestamp_validity.signing_cert.subject.native["common_name"]
    assert tsa == "Timestamp Authority BSrE Uji"


# -- auth ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("auth", [None, (CLIENT_ID, "salah"), ("orang-lain", CLIENT_SECRET)])
@pytest.mark.parametrize("path", ["/api/v2/user/check/status", "/api/v2/sign/pdf", "/api/v2/sign/get/totp"])
def test_basic_auth_missing_or_wrong_is_401_with_spring_body(
    bsre: BsreContractServer, auth: Any, path: str
) -> None:
    response = post(bsre, path, {"nik": PEGAWAI.nik}, auth=auth)
    assert response.status_code == 401
    body = response.json()
    assert set(body) == SPRING_KEYS
    assert body["status"] == 401
    assert body["error"] == "Unauthorized"
    assert body["path"] == path
    assert "T" in body["timestamp"]
    assert bsre.requests[-1].authorized is False


def test_unknown_route_is_404_after_auth(bsre: BsreContractServer) -> None:
    response = post(bsre, "/api/v2/user/check-status", {"nik": PEGAWAI.nik})
    assert response.status_code == 404
    assert set(response.json()) == SPRING_KEYS


# -- user status -------------------------------------------------------------------------------------


def test_status_of_registered_unknown_and_expired(bsre: BsreContractServer) -> None:
    registered = post(bsre, "/api/v2/user/check/status", {"nik": PEGAWAI.nik})
    assert registered.status_code == 200
    assert set(registered.json()) == {"status_code", "message", "status"}
    assert registered.json()["status"] == "ISSUE"

    unknown = post(bsre, "/api/v2/user/check/status", {"nik": "3578000000000000"}).json()
    assert unknown["status"] == "NOT_REGISTERED"
    assert unknown["status_code"] == 2011

    assert post(bsre, "/api/v2/user/check/status", {"nik": EXPIRED_NIK}).json()["status"] == "EXPIRED"
    by_email = post(bsre, "/api/v2/user/check/status", {"email": PENILAI.email}).json()
    assert by_email["status"] == "ISSUE"


def test_status_needs_nik_or_email(bsre: BsreContractServer) -> None:
    response = post(bsre, "/api/v2/user/check/status", {})
    assert response.status_code == 400
    assert set(response.json()) == {"error", "status_code"}


@pytest.mark.parametrize("status", ["SUSPEND", "NEW", "REVOKE", "RENEW", "WAITING_FOR_VERIFICATION"])
def test_status_set_by_a_test_is_reported_and_blocks_signing(bsre: BsreContractServer, status: str) -> None:
    bsre.assign_certificate(PEGAWAI.nik, "pegawai", status=status)
    assert post(bsre, "/api/v2/user/check/status", {"nik": PEGAWAI.nik}).json()["status"] == status
    response = sign(bsre, [sample_pdf(1)])
    assert response.status_code == 400
    assert response.json()["status_code"] == 2021


def test_certificate_chain_of_a_user(bsre: BsreContractServer, outside: OutsideServers) -> None:
    response = requests.get(f"{bsre.url}/api/v2/user/certificate/chain/{PEGAWAI.nik}", auth=AUTH, timeout=10)
    assert response.status_code == 200
    data = response.json()["data"]
    certs = [asn1_x509.Certificate.load(base64.b64decode(c)) for c in data]
    assert certs[0].dump() == outside.pki.cert("bsre", "pegawai").public_bytes(Encoding.DER)
    assert certs[-1].dump() == outside.pki.root("bsre").public_bytes(Encoding.DER)
    by_email = requests.get(
        f"{bsre.url}/api/v2/user/certificate/chain/{PEGAWAI.email}", auth=AUTH, timeout=10
    )
    assert by_email.json()["data"] == data
    unknown = requests.get(
        f"{bsre.url}/api/v2/user/certificate/chain/3578000000000000", auth=AUTH, timeout=10
    )
    assert unknown.json()["status_code"] == 2011
    assert (
        requests.get(f"{bsre.url}/api/v2/user/certificate/chain/{PEGAWAI.nik}", timeout=10).status_code == 401
    )


# -- signing -----------------------------------------------------------------------------------------


def test_sign_one_file_is_an_incremental_trusted_b_t_signature(
    bsre: BsreContractServer, outside: OutsideServers
) -> None:
    sent = sample_pdf(2)
    props = [VISIBLE | {"reason": "Menyetujui SKP", "location": "Surabaya", "contactInfo": "0311234"}]
    [returned] = signed_files(sign(bsre, [sent], props=props))
    assert_bsre_b_t(outside, sent, returned)
    sig = PdfFileReader(io.BytesIO(returned)).embedded_signatures[-1].sig_object
    assert sig["/Reason"] == "Menyetujui SKP"
    assert sig["/Location"] == "Surabaya"
    assert sig["/ContactInfo"] == "0311234"


def test_sign_two_files_keeps_input_order_and_properties_per_file(
    bsre: BsreContractServer, outside: OutsideServers
) -> None:
    first, second = sample_pdf(1), sample_pdf(3)
    box = {"tampilan": "VISIBLE", "page": 3, "originX": 50, "originY": 60, "width": 70, "height": 80}
    out_first, out_second = signed_files(sign(bsre, [first, second], props=[INVISIBLE, box]))
    assert_bsre_b_t(outside, first, out_first)
    assert_bsre_b_t(outside, second, out_second)
    assert [float(v) for v in widget(out_first)[0]["/Rect"]] == [0, 0, 0, 0]
    annot, page = widget(out_second)
    assert page == 2
    assert [float(v) for v in annot["/Rect"]] == [50, 60, 120, 140]


def test_one_property_item_applies_to_every_file(bsre: BsreContractServer) -> None:
    files = signed_files(sign(bsre, [sample_pdf(1), sample_pdf(2)], props=[VISIBLE]))
    for out in files:
        assert [float(v) for v in widget(out)[0]["/Rect"]] == [100, 200, 250, 260]


def test_second_signer_keeps_the_first_signature_intact(
    bsre: BsreContractServer, outside: OutsideServers
) -> None:
    [once] = signed_files(sign(bsre, [sample_pdf(1)]))
    second_box = VISIBLE | {"originX": 300}
    [twice] = signed_files(
        sign(bsre, [once], nik=PENILAI.nik, passphrase="rahasia-pejabat_penilai", props=[second_box])
    )
    assert_bsre_b_t(outside, once, twice, nik=PENILAI.nik)
    first, second = validate_all(outside, twice)
    assert first.intact
    assert first.valid
    assert first.trusted
    assert subject_nik(first) == PEGAWAI.nik
    assert subject_nik(second) == PENILAI.nik


def test_pdfsig_with_the_bsre_root_trusts_both_signatures(
    bsre: BsreContractServer, outside: OutsideServers, tmp_path: Path
) -> None:
    [once] = signed_files(sign(bsre, [sample_pdf(1)]))
    [twice] = signed_files(
        sign(bsre, [once], nik=PENILAI.nik, passphrase="rahasia-pejabat_penilai", props=[INVISIBLE])
    )
    nssdir = nss_db(tmp_path / "nss", [outside.pki.root("bsre")])
    entries = pdfsig(twice, nssdir=f"sql:{nssdir}", workdir=tmp_path)
    assert set(entries) == {"Signature1", "Signature2"}
    for entry in entries.values():
        assert entry.signature_type == "ETSI.CAdES.detached"
        assert entry.signature_validation == "Signature is Valid."
        assert entry.certificate_validation == "Certificate is Trusted."


def test_sign_by_email(bsre: BsreContractServer, outside: OutsideServers) -> None:
    sent = sample_pdf(1)
    body = {
        "email": PENILAI.email,
        "passphrase": "rahasia-pejabat_penilai",
        "signatureProperties": [INVISIBLE],
        "file": [b64(sent)],
    }
    [returned] = signed_files(post(bsre, "/api/v2/sign/pdf", body))
    assert_bsre_b_t(outside, sent, returned, nik=PENILAI.nik)


def test_visible_placement_rect_is_the_requested_box_on_the_requested_page(bsre: BsreContractServer) -> None:
    box = {"tampilan": "VISIBLE", "page": 2, "originX": 72.5, "originY": 96, "width": 200, "height": 75.25}
    [returned] = signed_files(sign(bsre, [sample_pdf(3)], props=[box]))
    annot, page = widget(returned)
    assert page == 1
    assert [float(v) for v in annot["/Rect"]] == [72.5, 96, 272.5, 171.25]
    assert "/AP" in annot


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L"])
def test_visible_placement_with_png_uses_the_image(bsre: BsreContractServer, mode: str) -> None:
    props = [VISIBLE | {"imageBase64": b64(png(mode=mode))}]
    [returned] = signed_files(sign(bsre, [sample_pdf(1)], props=props))
    annot, _ = widget(returned)
    appearance = annot["/AP"]["/N"]

    def images(xobject: Any, depth: int = 0) -> int:
        found = 0
        for value in xobject.get("/Resources", {}).get("/XObject", {}).values():
            obj = value.get_object()
            found += 1 if obj.get("/Subtype") == "/Image" else images(obj, depth + 1) if depth < 4 else 0
        return found

    assert images(appearance) >= 1
    plain = widget(signed_files(sign(bsre, [sample_pdf(1)]))[0])[0]["/AP"]["/N"]
    assert images(plain) == 0


def test_tag_koordinat_puts_the_stamp_where_the_tag_is_printed(bsre: BsreContractServer) -> None:
    pdf = text_pdf("#", x=320, y=410, pages=2, on_page=2)
    props = [{"tampilan": "VISIBLE", "tag_koordinat": "#", "width": 100, "height": 40}]
    [returned] = signed_files(sign(bsre, [pdf], props=props))
    annot, page = widget(returned)
    assert page == 1
    assert [round(float(v)) for v in annot["/Rect"]] == [320, 410, 420, 450]


def test_tag_koordinat_after_other_text_in_the_same_run_is_estimated(bsre: BsreContractServer) -> None:
    # "Tanda tangan: " is 80.7 pt wide in 12 pt Helvetica; the server estimates half an em per character.
    pdf = text_pdf("Tanda tangan: #", x=100, y=300)
    props = [{"tampilan": "VISIBLE", "tag_koordinat": "#", "page": 1, "width": 90, "height": 30}]
    [returned] = signed_files(sign(bsre, [pdf], props=props))
    x1, y1, x2, y2 = (float(v) for v in widget(returned)[0]["/Rect"])
    assert abs(x1 - 180.7) < 6
    assert (y1, x2 - x1, y2 - y1) == (300, 90, 30)


def test_tag_koordinat_missing_in_the_text_is_400(bsre: BsreContractServer) -> None:
    props = [{"tampilan": "VISIBLE", "tag_koordinat": "$"}]
    response = sign(bsre, [text_pdf("tanpa tanda", x=100, y=100)], props=props)
    assert response.status_code == 400
    assert "tag_koordinat" in response.json()["error"]


def test_pdf_password_opens_an_encrypted_file(bsre: BsreContractServer, outside: OutsideServers) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("kunci-dokumen", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    sent = buffer.getvalue()
    [returned] = signed_files(sign(bsre, [sent], props=[VISIBLE | {"pdfPassword": "kunci-dokumen"}]))
    assert returned.startswith(sent)
    reader = PdfFileReader(io.BytesIO(returned))
    reader.decrypt("kunci-dokumen")
    status = validate_pdf_signature(reader.embedded_signatures[0], signer_validation_context=vc(outside))
    assert status.bottom_line
    assert sign(bsre, [sent]).status_code == 500


# -- errors ------------------------------------------------------------------------------------------


def test_wrong_passphrase_is_400_2031(bsre: BsreContractServer) -> None:
    response = sign(bsre, [sample_pdf(1)], passphrase="bukan-ini")
    assert response.status_code == 400
    assert response.json() == {"error": "Passphrase anda salah", "status_code": 2031}


def test_unknown_nik_is_2011_and_expired_is_2021(bsre: BsreContractServer) -> None:
    unknown = sign(bsre, [sample_pdf(1)], nik="3578000000000000")
    assert 400 <= unknown.status_code < 500
    assert unknown.json()["status_code"] == 2011
    expired = sign(bsre, [sample_pdf(1)], nik=EXPIRED_NIK, passphrase="rahasia-expired")
    assert 400 <= expired.status_code < 500
    assert expired.json()["status_code"] == 2021
    no_cert = bsre.assign_certificate(PENILAI.nik, None)
    assert no_cert.cert_label is None
    assert post(bsre, "/api/v2/user/check/status", {"nik": PENILAI.nik}).json()["status"] == "NO_CERTIFICATE"
    response = sign(bsre, [sample_pdf(1)], nik=PENILAI.nik, passphrase="rahasia-pejabat_penilai")
    assert response.json()["status_code"] == 2021
    # Status and sign may disagree (a race at BSrE): sign still refuses without a certificate.
    bsre.assign_certificate(PENILAI.nik, None, status="ISSUE")
    assert post(bsre, "/api/v2/user/check/status", {"nik": PENILAI.nik}).json()["status"] == "ISSUE"
    response = sign(bsre, [sample_pdf(1)], nik=PENILAI.nik, passphrase="rahasia-pejabat_penilai")
    assert response.json()["status_code"] == 2021


def test_revoked_certificate_still_signs_and_only_validation_catches_it(
    bsre: BsreContractServer, outside: OutsideServers
) -> None:
    assert post(bsre, "/api/v2/user/check/status", {"nik": REVOKED_NIK}).json()["status"] == "ISSUE"
    [returned] = signed_files(sign(bsre, [sample_pdf(1)], nik=REVOKED_NIK, passphrase="rahasia-revoked"))
    [status] = validate_all(outside, returned)
    assert status.intact
    assert status.valid
    assert not status.trusted
    assert status.revoked
    # The same on a person's own account, the case a service test meets.
    bsre.assign_certificate(PEGAWAI.nik, "revoked")
    [returned] = signed_files(sign(bsre, [sample_pdf(1)]))
    [status] = validate_all(outside, returned)
    assert status.revoked
    assert subject_nik(status) == PEGAWAI.nik


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ({"nik": PEGAWAI.nik, "passphrase": "rahasia-pegawai", "signatureProperties": [INVISIBLE]}, "file"),
        (
            {
                "nik": PEGAWAI.nik,
                "passphrase": "rahasia-pegawai",
                "signatureProperties": [INVISIBLE],
                "file": "JVBERi0=",
            },
            "file",
        ),
        ({"nik": PEGAWAI.nik, "passphrase": "rahasia-pegawai", "file": ["JVBERi0="]}, "signatureProperties"),
        (
            {
                "nik": PEGAWAI.nik,
                "passphrase": "rahasia-pegawai",
                "signatureProperties": [{"tampilan": "X"}],
                "file": ["JVBERi0="],
            },
            "tampilan",
        ),
        (
            {
                "nik": PEGAWAI.nik,
                "passphrase": "rahasia-pegawai",
                "signatureProperties": [{"tampilan": "VISIBLE", "page": 1}],
                "file": ["JVBERi0="],
            },
            "originX",
        ),
        (
            {
                "nik": PEGAWAI.nik,
                "passphrase": "rahasia-pegawai",
                "signatureProperties": [INVISIBLE, INVISIBLE],
                "file": ["JVBERi0=", "JVBERi0=", "JVBERi0="],
            },
            "signatureProperties",
        ),
        ({"nik": PEGAWAI.nik, "signatureProperties": [INVISIBLE], "file": ["JVBERi0="]}, "passphrase"),
        ({"passphrase": "rahasia-pegawai", "signatureProperties": [INVISIBLE], "file": ["JVBERi0="]}, "nik"),
        (
            {
                "nik": PEGAWAI.nik,
                "passphrase": "rahasia-pegawai",
                "signatureProperties": [INVISIBLE],
                "file": ["%%%"],
            },
            "base64",
        ),
    ],
)
def test_malformed_sign_body_is_400_with_a_message(bsre: BsreContractServer, body: Any, word: str) -> None:
    response = post(bsre, "/api/v2/sign/pdf", body)
    assert response.status_code == 400
    assert set(response.json()) == {"error", "status_code"}
    assert word in response.json()["error"]


def test_body_that_is_not_json_is_400(bsre: BsreContractServer) -> None:
    response = requests.post(f"{bsre.url}/api/v2/sign/pdf", data=b"nik=1", auth=AUTH, timeout=10)
    assert response.status_code == 400
    assert response.json()["status_code"] == 400


def test_file_that_is_not_a_pdf_is_500(bsre: BsreContractServer) -> None:
    response = sign(bsre, [b"<html>bukan pdf</html>"])
    assert response.status_code == 500
    assert set(response.json()) == SPRING_KEYS
    broken = sign(bsre, [b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog"])
    assert broken.status_code == 500
    assert len(bsre.errors) == 2


# -- TOTP --------------------------------------------------------------------------------------------


def test_totp_flow_counts_files_and_rejects_a_wrong_code(
    bsre: BsreContractServer, outside: OutsideServers
) -> None:
    asked = post(bsre, "/api/v2/sign/get/totp", {"nik": PEGAWAI.nik, "data": 3})
    assert asked.status_code == 200
    code = bsre.last_totp(PEGAWAI.nik)
    assert len(code) == 6
    assert code.isdigit()
    wrong = str((int(code) + 1) % 10**6).zfill(6)
    assert sign(bsre, [sample_pdf(1)], passphrase=None, totp=wrong).json()["status_code"] == 2031
    sent = [sample_pdf(1), sample_pdf(2)]
    out = signed_files(sign(bsre, sent, passphrase=None, totp=code, props=[INVISIBLE]))
    for s, o in zip(sent, out, strict=True):
        assert_bsre_b_t(outside, s, o)
    # One file left on this code: two is too many, one is fine, then it is used up.
    assert sign(bsre, [sample_pdf(1), sample_pdf(1)], passphrase=None, totp=code).status_code == 400
    signed_files(sign(bsre, [sample_pdf(1)], passphrase=None, totp=code))
    again = sign(bsre, [sample_pdf(1)], passphrase=None, totp=code)
    assert again.status_code == 400
    assert again.json() == {"error": "Passphrase anda salah", "status_code": 2031}
    # Nothing the official typed is kept in the request log.
    assert code not in repr(bsre.requests)
    assert "rahasia-pegawai" not in repr(bsre.requests)
    assert bsre.requests[-1].body["totp"] == "***"


def test_an_expired_totp_is_refused(bsre: BsreContractServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bsre, "totp_ttl_seconds", 0.3)
    post(bsre, "/api/v2/sign/get/totp", {"email": PEGAWAI.email, "data": 1})
    code = bsre.last_totp(PEGAWAI.nik)
    time.sleep(0.5)
    response = sign(bsre, [sample_pdf(1)], passphrase=None, totp=code)
    assert response.json() == {"error": "Passphrase anda salah", "status_code": 2031}


def test_totp_for_unknown_nik_is_2011(bsre: BsreContractServer) -> None:
    response = post(bsre, "/api/v2/sign/get/totp", {"nik": "3578000000000000", "data": 1})
    assert response.json()["status_code"] == 2011
    assert post(bsre, "/api/v2/sign/get/totp", {"nik": PEGAWAI.nik}).status_code == 400


# -- request log -------------------------------------------------------------------------------------


def test_requests_record_what_the_client_sent_without_secrets(bsre: BsreContractServer) -> None:
    signed_files(sign(bsre, [sample_pdf(1)]))
    [record] = bsre.requests
    assert record.path == "/api/v2/sign/pdf"
    assert record.http_status == 200
    assert record.duration > 0
    assert record.body["passphrase"] == "***"
    assert record.body["signatureProperties"] == [VISIBLE]
    assert record.body["nik"] == PEGAWAI.nik


# -- faults ------------------------------------------------------------------------------------------


def test_delay_makes_a_client_time_out(bsre: BsreContractServer) -> None:
    bsre.delay_seconds = 1.5
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        sign(bsre, [sample_pdf(1)], timeout=0.5)
    assert time.monotonic() - started < 1.4
    deadline = time.monotonic() + 20
    while not bsre.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    assert bsre.requests[-1].duration >= 1.5


def test_a_call_outliving_reset_is_not_recorded_for_the_next_test(bsre: BsreContractServer) -> None:
    bsre.delay_seconds = 0.8
    with pytest.raises(requests.Timeout):
        sign(bsre, [sample_pdf(1)], props=[INVISIBLE], timeout=0.2)
    bsre.reset()
    time.sleep(2.0)
    assert bsre.requests == []
    assert post(bsre, "/api/v2/user/check/status", {"nik": PEGAWAI.nik}).status_code == 200
    assert [r.path for r in bsre.requests] == ["/api/v2/user/check/status"]


def test_fail_with_500(bsre: BsreContractServer) -> None:
    bsre.fail_with_500 = True
    response = sign(bsre, [sample_pdf(1)])
    assert response.status_code == 500
    assert set(response.json()) == SPRING_KEYS
    bsre.reset()
    assert sign(bsre, [sample_pdf(1)]).status_code == 200


def test_tamper_breaks_an_earlier_signature(bsre: BsreContractServer, outside: OutsideServers) -> None:
    [once] = signed_files(sign(bsre, [sample_pdf(1)]))
    bsre.tamper = True
    [twice] = signed_files(sign(bsre, [once], nik=PENILAI.nik, passphrase="rahasia-pejabat_penilai"))
    assert not twice.startswith(once)
    assert len(twice) > len(once)
    first, second = validate_all(outside, twice)
    assert not first.intact
    assert second.intact
    assert second.valid
    assert second.trusted


def test_tamper_on_an_unsigned_file_changes_the_bytes_sent(bsre: BsreContractServer) -> None:
    sent = sample_pdf(1)
    bsre.tamper = True
    [returned] = signed_files(sign(bsre, [sent]))
    assert not returned.startswith(sent)
    assert returned[: len(sent)] != sent
    assert sum(a != b for a, b in zip(sent, returned, strict=False)) == 1


def test_non_incremental_returns_a_full_rewrite(bsre: BsreContractServer, outside: OutsideServers) -> None:
    [once] = signed_files(sign(bsre, [sample_pdf(1)]))
    bsre.non_incremental = True
    [rewritten] = signed_files(sign(bsre, [once], nik=PENILAI.nik, passphrase="rahasia-pejabat_penilai"))
    assert not rewritten.startswith(once)
    statuses = validate_all(outside, rewritten)
    assert statuses[-1].intact
    assert statuses[-1].valid
    assert subject_nik(statuses[-1]) == PENILAI.nik
    # The rewrite is one fresh revision: the earlier signature's byte range no longer matches.
    assert len(statuses) == 2
    assert not statuses[0].intact
    assert PdfFileReader(io.BytesIO(rewritten)).xrefs.total_revisions == 2


def test_full_rewrite_keeps_pages_but_not_the_bytes() -> None:
    from pypdf import PdfReader

    sent = sample_pdf(2)
    rewritten = full_rewrite(sent)
    assert rewritten != sent
    assert not rewritten.startswith(sent)
    assert len(PdfReader(io.BytesIO(rewritten)).pages) == 2


def test_wrong_signer_signs_with_another_persons_certificate(
    bsre: BsreContractServer, outside: OutsideServers
) -> None:
    bsre.wrong_signer = True
    [returned] = signed_files(sign(bsre, [sample_pdf(1)]))
    [status] = validate_all(outside, returned)
    assert status.bottom_line
    assert subject_nik(status) != PEGAWAI.nik
    assert subject_nik(status) in {p.nik for p in PEOPLE.values()}


def test_extra_signature_adds_two(bsre: BsreContractServer, outside: OutsideServers) -> None:
    sent = sample_pdf(1)
    bsre.extra_signature = True
    [returned] = signed_files(sign(bsre, [sent]))
    assert returned.startswith(sent)
    statuses = validate_all(outside, returned)
    assert len(statuses) == 2
    assert all(s.bottom_line for s in statuses)


def test_reset_clears_faults_and_restores_users(bsre: BsreContractServer) -> None:
    bsre.tamper = bsre.wrong_signer = True
    bsre.assign_certificate(PEGAWAI.nik, None, status="SUSPEND")
    bsre.reset()
    assert not bsre.faults.tamper
    assert not bsre.wrong_signer
    assert bsre.user(PEGAWAI.nik).status == "ISSUE"
    assert bsre.user(PEGAWAI.nik).cert_label == "pegawai"
    assert bsre.requests == []
