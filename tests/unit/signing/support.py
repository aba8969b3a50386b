"""Test support for signing: a sample SKP-like PDF, pdfsig/NSS, an HTTP TSA and SoftHSM2 helpers.

Kept in one module (like pyHanko's ``signing_commons``) so tests and ``bench/sign.py`` share it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import PdfFileWriter

from signing.pdf import FieldSpec
from signing.timestamps import (
    TIMESTAMP_QUERY_MIMETYPE,
    TIMESTAMP_REPLY_MIMETYPE,
    LocalTsa,
    respond_to_tsa_request,
)

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"

#: Where the three approval fields sit on the last page (absolute PDF points, A4 portrait).
ROLES = ("pegawai", "pejabat_penilai", "atasan_pejabat_penilai")
PERAN_LABEL = {
    "pegawai": "Pegawai yang Dinilai",
    "pejabat_penilai": "Pejabat Penilai Kinerja",
    "atasan_pejabat_penilai": "Atasan Pejabat Penilai Kinerja",
}


def field_specs(last_page: int) -> list[FieldSpec]:
    """The three approval fields, side by side near the bottom of ``last_page``."""
    return [
        FieldSpec(name=f"ttd_{role}", page=last_page, box=(40 + i * 180, 90, 210 + i * 180, 170))
        for i, role in enumerate(ROLES)
    ]


def sample_pdf(pages: int = 2) -> bytes:
    """A small uncompressed multi-page PDF with Helvetica text (no LibreOffice needed)."""
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
    for i in range(pages):
        lines = [f"SASARAN KINERJA PEGAWAI - halaman {i + 1}"]
        lines += [f"Target {j}: 100 %" for j in range(1, 16)]
        ops = ["BT /F1 12 Tf 72 770 Td 16 TL", *(f"({t}) '" for t in lines), "ET"]
        content = generic.StreamObject(stream_data="\n".join(ops).encode("latin-1"))
        page = generic.DictionaryObject(
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
        writer.insert_page(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


# -- pdfsig ---------------------------------------------------------------------------------------


def make_nss_db(directory: Path, root_pem: Path, *more_root_pems: Path) -> str:
    """An NSS database trusting ``root_pem`` (and ``more_root_pems``) as CA (``CT,C,C``); returns the
    ``-nssdir`` value.
    """
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["certutil", "-N", "-d", f"sql:{directory}", "--empty-password"], check=True, capture_output=True
    )
    for i, pem in enumerate((root_pem, *more_root_pems)):
        nickname = "skp-root" if i == 0 else f"skp-root-{i}"
        subprocess.run(
            ["certutil", "-A", "-d", f"sql:{directory}", "-n", nickname, "-t", "CT,C,C", "-i", str(pem)],
            check=True,
            capture_output=True,
        )
    return f"sql:{directory}"


@dataclass(frozen=True)
class PdfsigEntry:
    field_name: str
    signature_type: str
    signature_validation: str
    certificate_validation: str | None


def pdfsig(pdf: bytes, *, nssdir: str, workdir: Path) -> dict[str, PdfsigEntry]:
    """Run poppler's ``pdfsig`` on ``pdf``; entries keyed by field name."""
    path = workdir / "pdfsig-input.pdf"
    path.write_bytes(pdf)
    # pdfsig exits non-zero when a signature is invalid; the output is what we check.
    result = subprocess.run(
        ["pdfsig", "-nssdir", nssdir, str(path)], capture_output=True, text=True, check=False
    )
    entries: dict[str, PdfsigEntry] = {}
    for block in re.split(r"^Signature #\d+:\n", result.stdout, flags=re.MULTILINE)[1:]:
        fields = dict(re.findall(r"^ +- ([^:\n]+): (.*)$", block, flags=re.MULTILINE))
        entries[fields["Signature Field Name"]] = PdfsigEntry(
            field_name=fields["Signature Field Name"],
            signature_type=fields.get("Signature Type", ""),
            signature_validation=fields.get("Signature Validation", ""),
            certificate_validation=fields.get("Certificate Validation"),
        )
    return entries


# -- RFC 3161 over HTTP ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ServedTsa:
    url: str
    requests: list[bytes] = field(default_factory=list)
    """Every request body the server answered, in order."""


@contextmanager
def serve_tsa(tsa: LocalTsa) -> Iterator[ServedTsa]:
    """``tsa`` served over HTTP on 127.0.0.1 (a free port), as the web service serves it."""
    served: ServedTsa

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if self.headers.get("Content-Type") != TIMESTAMP_QUERY_MIMETYPE:
                self.send_error(415)
                return
            body = self.rfile.read(int(self.headers["Content-Length"]))
            served.requests.append(body)
            reply = respond_to_tsa_request(body, tsa)
            self.send_response(200)
            self.send_header("Content-Type", TIMESTAMP_REPLY_MIMETYPE)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served = ServedTsa(url=f"http://127.0.0.1:{server.server_address[1]}/tsa")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# -- SoftHSM2 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SoftHsmToken:
    conf: Path
    label: str
    user_pin: str


def init_softhsm_token(directory: Path, *, label: str = "skp-test", user_pin: str = "123456") -> SoftHsmToken:
    """A private SoftHSM2 config + token dir, and an initialised token in it."""
    tokens = directory / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = directory / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n",
        encoding="utf-8",
    )
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            label,
            "--pin",
            user_pin,
            "--so-pin",
            "654321",
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "SOFTHSM2_CONF": str(conf)},
    )
    return SoftHsmToken(conf=conf, label=label, user_pin=user_pin)


def pkcs11_tool(token: SoftHsmToken, *args: str) -> bytes:
    """Run ``pkcs11-tool`` against the SoftHSM2 module with the token's private config."""
    result = subprocess.run(
        [
            "pkcs11-tool",
            "--module",
            SOFTHSM_MODULE,
            "--token-label",
            token.label,
            "--login",
            "--pin",
            token.user_pin,
            *args,
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "SOFTHSM2_CONF": str(token.conf)},
    )
    return result.stdout


def tools_available() -> bool:
    return all(shutil.which(t) for t in ("pdfsig", "certutil", "softhsm2-util", "pkcs11-tool"))
