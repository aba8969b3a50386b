"""A contract test server for BSrE's "eSign Client Service v2" (``/work/shared/domain/bsre.md``).

BSrE cannot be reached from the test machine, so this aiohttp application plays it: the service under
test talks to it only through its URL, exactly as it would to an agency's eSign Client Service. It
signs with the Certomancer "BSrE-like" CA (architecture ``bsre`` of :mod:`tests.outside.pki`) and
timestamps with that architecture's TSA ("Timestamp Authority BSrE Uji", served by the Animator), so its
output is what BSrE returns: PAdES-BASELINE-T, one incremental signature per file (pyHanko, PAdES
subfilter, new field ``Signature<n>``), no DSS (``ltv=false``).

Use::

    server = BsreContractServer(outside.pki, client_id="...", client_secret="...")
    server.serve_on(outside)            # server.url, e.g. http://127.0.0.1:40123
    server.last_totp(nik)               # what BeSign Mobile would show after /sign/get/totp
    server.tamper = True                # or server.faults.tamper; server.reset() clears everything
    server.requests                     # what arrived; passphrase/totp values replaced by "***"

Accounts: every ``PEOPLE`` person under their NIK and email, passphrase ``rahasia-<key>``, certificate
``<key>``, status ISSUE; ``revoked`` (:data:`REVOKED_NIK`, status ISSUE although the CA revoked the
certificate - the service has to notice) and ``expired`` (:data:`EXPIRED_NIK`, status EXPIRED). Those two
certificates carry a person's subject (pegawai's NIK), so to have a person's own account sign with them
use ``server.assign_certificate(PEOPLE["pegawai"].nik, "revoked")``.

Fault switches (:class:`Faults`): ``delay_seconds`` sleeps before handling a sign call;
``fail_with_500`` answers 500 without signing; ``tamper`` flips one byte of the file that every earlier
signature covers and then signs that (earlier signatures break, the new one is fine, the bytes sent are
no longer a prefix); ``non_incremental`` re-saves the file with pypdf before signing (a full rewrite);
``wrong_signer`` signs with another person's certificate; ``extra_signature`` adds a second signature.

Choices where bsre.md says the sources disagree or are silent (each is what this server does, and what
``test_bsre_server.py`` checks against the returned file):

- **Placement origin.** ``originX``/``originY`` are PDF points from the **bottom-left** corner of the
  page (the page's MediaBox lower-left corner), i.e. PDF user space; ``width``/``height`` extend right
  and up. The new widget's ``/Rect`` is ``[originX, originY, originX + width, originY + height]``
  shifted by the MediaBox origin. ``page`` is 1-based. One request signs one place per file.
  ``imageBase64`` (PNG, transparency kept) is the whole appearance, scaled to fit the box keeping its
  aspect ratio; without it a text stamp names the signer and the time.
- **tag_koordinat.** Best effort: the page text is walked with pypdf's
  ``extract_text(visitor_text=...)``; the first text run containing the tag character gives the
  position (text matrix x CTM, plus an estimate of ``index x 0.5 x font size`` for characters before
  the tag in the same run). The stamp's lower-left corner goes there, with ``width``/``height`` from
  the properties (default 120 x 60). ``page`` narrows the search to that page when given; otherwise
  the first page containing the tag wins. No tag found → HTTP 400.
- **Error HTTP statuses.** bsre.md only says "4xx" for 2011/2021: this server answers **400** for all
  three (2011, 2021, 2031). A user whose status is not ``ISSUE`` (``EXPIRED``, ``REVOKE``, ``SUSPEND``,
  ``NEW``, ...) or who has no certificate gets **2021** with a message naming the status, the closest
  documented code. A wrong or used-up TOTP is 2031 "Passphrase anda salah" like a wrong passphrase.
- **check/status codes.** ``status_code`` 1111 for a known user (whatever the status), 2011 for an
  unknown one (status ``NOT_REGISTERED``), always HTTP 200.
- **get/totp answer.** HTTP 200 ``{"status_code": 1111, "message": ..., "data": <file count>}``. A TOTP
  is valid for that many files in total and for :attr:`BsreContractServer.totp_ttl_seconds`.
- **Certificate chain.** ``GET /api/v2/user/certificate/chain/<nik or email>`` answers
  ``{"status_code": 1111, "message": ..., "data": [<base64 DER>, ...]}``, the user's certificate first,
  then its issuers up to the root (the shape is this server's choice; bsre.md names only the route).
  Errors as for signing (2011, 2021).
- **Malformed bodies** (no ``file`` array, bad base64, no ``nik``/``email``, no ``passphrase``/``totp``,
  bad ``signatureProperties``) → HTTP 400 ``{"error": <Indonesian message>, "status_code": 400}``.
  ``signatureProperties`` is required: a non-empty array, one item for all files or one per file.
- **Non-PDF file.** HTTP 500 with a Spring-style body (observed behaviour), like the 401 body; the
  traceback goes to :attr:`BsreContractServer.errors`. So does an encrypted file without the right
  ``pdfPassword`` (with it, the signature is added under the file's own encryption).
- Only the v2 paths exist (no ``check-status`` spelling, no v1, no verify/seal); anything else is a
  Spring-style 404 after authentication.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import io
import json
import secrets
import threading
import time
import traceback
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from aiohttp import web
from asn1crypto import keys, x509

BSRE_ARCH = "bsre"
STATUSES = (
    "ISSUE",
    "EXPIRED",
    "RENEW",
    "WAITING_FOR_VERIFICATION",
    "NEW",
    "NO_CERTIFICATE",
    "NOT_REGISTERED",
    "SUSPEND",
    "REVOKE",
)
CODE_FOUND = 1111
CODE_NOT_REGISTERED = 2011
CODE_NO_CERTIFICATE = 2021
CODE_WRONG_PASSPHRASE = 2031
MSG_WRONG_PASSPHRASE = "Passphrase anda salah"
DEFAULT_TAG_BOX = (120.0, 60.0)
SECRET_KEYS = ("passphrase", "totp")
#: BSrE accounts of the ``revoked`` and ``expired`` certificates (whose subjects repeat a person's NIK).
REVOKED_NIK = "3578019900000091"
EXPIRED_NIK = "3578019900000092"


class Pki(Protocol):
    """What the server needs of :class:`tests.outside.pki.OutsidePki` (cryptography or asn1crypto objects)."""

    def cert(self, arch: Any, label: str) -> Any: ...

    def key(self, arch: Any, label: str) -> Any: ...

    def chain(self, arch: Any, label: str) -> Sequence[Any]: ...

    def tsa_url(self, arch: Any) -> str: ...


def _asn1_cert(cert: Any) -> x509.Certificate:
    if isinstance(cert, x509.Certificate):
        return cert
    from cryptography.hazmat.primitives.serialization import Encoding

    return x509.Certificate.load(cert.public_bytes(Encoding.DER))


def _asn1_key(key: Any) -> keys.PrivateKeyInfo:
    if isinstance(key, keys.PrivateKeyInfo):
        return key
    from cryptography.hazmat.primitives import serialization

    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return keys.PrivateKeyInfo.load(der)


class ContractError(Exception):
    """An answer in the contract's error shape ``{"error", "status_code"}``."""

    def __init__(self, http_status: int, status_code: int, message: str) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.status_code = status_code
        self.message = message


@dataclass
class BsreUser:
    """A registered user as BSrE knows them."""

    nik: str
    email: str
    passphrase: str
    cert_label: str | None
    status: str = "ISSUE"


@dataclass
class _Totp:
    code: str
    files_left: int
    expires: float


@dataclass(frozen=True)
class RecordedRequest:
    """One request as it arrived; ``passphrase``/``totp`` values replaced by ``"***"``."""

    method: str
    path: str
    body: Any
    http_status: int
    duration: float
    authorized: bool


@dataclass
class Faults:
    """Switches a test sets to make the server misbehave; :meth:`BsreContractServer.reset` clears them."""

    delay_seconds: float = 0.0
    fail_with_500: bool = False
    tamper: bool = False
    non_incremental: bool = False
    wrong_signer: bool = False
    extra_signature: bool = False


@dataclass(frozen=True)
class Placement:
    """Where and how one file's signature goes, parsed from one ``signatureProperties`` item."""

    visible: bool
    page: int | None = None
    box: tuple[float, float, float, float] | None = None
    tag: str | None = None
    image_png: bytes | None = None
    reason: str | None = None
    location: str | None = None
    contact_info: str | None = None
    pdf_password: str | None = None


def _spring_error(request: web.Request, status: int, error: str) -> web.Response:
    body = {
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "+0000"),
        "status": status,
        "error": error,
        "path": request.path,
    }
    headers = {"WWW-Authenticate": 'Basic realm="Realm"'} if status == 401 else None
    return web.json_response(body, status=status, headers=headers)


def _contract_error(exc: ContractError) -> web.Response:
    return web.json_response({"error": exc.message, "status_code": exc.status_code}, status=exc.http_status)


def _bad_request(message: str) -> ContractError:
    return ContractError(400, 400, message)


def _redact(body: Any) -> Any:
    if isinstance(body, dict):
        return {k: ("***" if k in SECRET_KEYS and v is not None else _redact(v)) for k, v in body.items()}
    if isinstance(body, list):
        return [_redact(v) for v in body]
    return body


def _subject_serial(cert: x509.Certificate) -> str | None:
    value = cert.subject.native.get("serial_number")
    return str(value) if value else None


def _number(props: Mapping[str, Any], key: str) -> float:
    value = props.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad_request(f"signatureProperties.{key} harus berupa angka")
    return float(value)


def _png(encoded: str | None) -> bytes | None:
    if not encoded:
        return None
    try:
        image = base64.b64decode(encoded, validate=True)
    except binascii.Error as exc:
        raise _bad_request("signatureProperties.imageBase64 bukan base64 yang sah") from exc
    if not image.startswith(b"\x89PNG\r\n\x1a\n"):
        raise _bad_request("signatureProperties.imageBase64 harus berupa gambar PNG")
    return image


def parse_placement(props: Any) -> Placement:
    """One ``signatureProperties`` item, checked; a :class:`ContractError` (400) if malformed."""
    if not isinstance(props, dict):
        raise _bad_request("signatureProperties harus berisi objek")
    tampilan = props.get("tampilan")
    if tampilan not in ("VISIBLE", "INVISIBLE"):
        raise _bad_request("signatureProperties.tampilan harus VISIBLE atau INVISIBLE")
    texts: dict[str, str | None] = {}
    for key in ("reason", "location", "contactInfo", "pdfPassword", "tag_koordinat", "imageBase64"):
        value = props.get(key)
        if value is not None and not isinstance(value, str):
            raise _bad_request(f"signatureProperties.{key} harus berupa teks")
        texts[key] = value or None
    common: dict[str, Any] = {
        "reason": texts["reason"],
        "location": texts["location"],
        "contact_info": texts["contactInfo"],
        "pdf_password": texts["pdfPassword"],
    }
    if tampilan == "INVISIBLE":
        return Placement(visible=False, **common)
    page: int | None = None
    if props.get("page") is not None:
        raw_page = props["page"]
        if isinstance(raw_page, bool) or not isinstance(raw_page, int) or raw_page < 1:
            raise _bad_request("signatureProperties.page harus bilangan bulat mulai dari 1")
        page = raw_page
    image = _png(texts["imageBase64"])
    tag = texts["tag_koordinat"]
    if tag is not None:
        width = _number(props, "width") if props.get("width") is not None else DEFAULT_TAG_BOX[0]
        height = _number(props, "height") if props.get("height") is not None else DEFAULT_TAG_BOX[1]
        if width <= 0 or height <= 0:
            raise _bad_request("signatureProperties.width dan height harus lebih dari 0")
        return Placement(
            visible=True, page=page, box=(0.0, 0.0, width, height), tag=tag, image_png=image, **common
        )
    if page is None:
        raise _bad_request("signatureProperties.page wajib untuk tampilan VISIBLE tanpa tag_koordinat")
    x, y = _number(props, "originX"), _number(props, "originY")
    width, height = _number(props, "width"), _number(props, "height")
    if width <= 0 or height <= 0:
        raise _bad_request("signatureProperties.width dan height harus lebih dari 0")
    return Placement(visible=True, page=page, box=(x, y, x + width, y + height), image_png=image, **common)


def _find_on_page(page: Any, tag: str) -> tuple[float, float] | None:
    found: list[tuple[float, float]] = []

    def visit(text: str, cm: Sequence[float], tm: Sequence[float], _font: Any, size: float) -> None:
        if found or tag not in text:
            return
        # Device position of the run's start: the text matrix mapped through the CTM.
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = (tm[0] * cm[0]) or 1.0
        x += text.index(tag) * 0.5 * (size or 0.0) * scale
        found.append((float(x), float(y)))

    page.extract_text(visitor_text=visit)
    return found[0] if found else None


def _pypdf(pdf: bytes, password: str | None) -> Any:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    if reader.is_encrypted and password is not None:
        reader.decrypt(password)
    return reader


def find_tag(
    pdf: bytes, tag: str, page: int | None, password: str | None = None
) -> tuple[int, float, float] | None:
    """The first (0-based page, x, y) where ``tag`` is printed; best effort, see the module docstring."""
    reader = _pypdf(pdf, password)
    indices = [page - 1] if page is not None else range(len(reader.pages))
    for index in indices:
        if index >= len(reader.pages):
            return None
        hit = _find_on_page(reader.pages[index], tag)
        if hit is not None:
            return index, hit[0], hit[1]
    return None


class BsreContractServer:
    """BSrE's eSign Client Service v2 as the contract describes it, backed by the ``bsre`` PKI.

    ``pki`` gives certificates, keys and the TSA URL; ``people`` maps a person key to an object or
    mapping with ``nik`` (and optionally ``email``) - by default ``tests.outside.pki.PEOPLE``. Every
    person is registered with passphrase ``rahasia-<key>`` and certificate label ``<key>``; so are
    ``revoked`` (status ISSUE, certificate revoked by the CA) and ``expired`` (status EXPIRED).
    """

    totp_ttl_seconds: float = 300.0

    def __init__(
        self,
        pki: Pki,
        *,
        client_id: str,
        client_secret: str,
        people: Mapping[str, Any] | None = None,
        register_defaults: bool = True,
    ) -> None:
        self.pki = pki
        self.client_id = client_id
        self.client_secret = client_secret
        self.url: str | None = None
        self.faults = Faults()
        self.requests: list[RecordedRequest] = []
        self.errors: list[str] = []
        """Tracebacks behind each HTTP 500 answered for a file that could not be signed."""
        self._users: dict[str, BsreUser] = {}
        self._totps: dict[str, _Totp] = {}
        self._issued_totps: dict[str, str] = {}
        self._lock = threading.Lock()
        self._defaults: dict[str, BsreUser] = {}
        self._generation = 0
        self.app = self._build_app()
        if register_defaults:
            self._register_defaults(people)

    # -- users -------------------------------------------------------------------------------------

    def add_user(
        self, nik: str, *, email: str, passphrase: str, cert_label: str | None, status: str = "ISSUE"
    ) -> BsreUser:
        """Register (or replace) a user; ``cert_label`` names their certificate in arch ``bsre``."""
        if status not in STATUSES:
            raise ValueError(f"unknown BSrE status {status!r}")
        user = BsreUser(nik=nik, email=email, passphrase=passphrase, cert_label=cert_label, status=status)
        with self._lock:
            self._users[nik] = user
        return user

    def user(self, nik: str) -> BsreUser:
        """The registered user with this NIK (KeyError if none)."""
        return self._users[nik]

    @property
    def users(self) -> list[BsreUser]:
        """All registered users."""
        return list(self._users.values())

    def _register_defaults(self, people: Mapping[str, Any] | None) -> None:
        if people is None:
            from tests.outside.pki import PEOPLE

            people = PEOPLE
        for key, person in people.items():
            self._register_label(key, person, "ISSUE")
        # The revoked and expired certificates carry a person's subject (the same NIK), so their BSrE
        # accounts get NIKs of their own; assign_certificate() puts them on a person's account instead.
        self._register_label("revoked", {"nik": REVOKED_NIK, "email": "revoked@bsre.test"}, "ISSUE")
        self._register_label("expired", {"nik": EXPIRED_NIK, "email": "expired@bsre.test"}, "EXPIRED")
        self._defaults = {nik: replace(user) for nik, user in self._users.items()}

    def _register_label(self, key: str, person: Any, status: str) -> None:
        nik = _field(person, "nik") or _subject_serial(_asn1_cert(self.pki.cert(BSRE_ARCH, key)))
        if not nik:
            raise ValueError(f"no NIK for {key!r}: neither PEOPLE nor the certificate's serialNumber")
        email = _field(person, "email") or f"{key}@bsre.test"
        self.add_user(str(nik), email=str(email), passphrase=f"rahasia-{key}", cert_label=key, status=status)

    def assign_certificate(self, nik: str, cert_label: str | None, *, status: str | None = None) -> BsreUser:
        """Give a registered user another certificate (e.g. ``revoked``) and optionally another status.

        BSrE's own status can lag behind the CA: ``assign_certificate(nik, "revoked")`` keeps ISSUE while
        the certificate is revoked, which the service must notice itself. Taking the certificate away
        (``None``) makes the status NO_CERTIFICATE unless ``status`` says otherwise (``"ISSUE"``: check/status
        and sign disagree, as they may in a race). :meth:`reset` undoes it.
        """
        if cert_label is None and status is None:
            status = "NO_CERTIFICATE"
        with self._lock:
            user = self._users[nik]
            user.cert_label = cert_label
            if status is not None:
                if status not in STATUSES:
                    raise ValueError(f"unknown BSrE status {status!r}")
                user.status = status
            return user

    def _find_user(self, body: Mapping[str, Any]) -> BsreUser:
        nik, email = body.get("nik"), body.get("email")
        if nik is not None:
            if not isinstance(nik, str) or not nik:
                raise _bad_request("nik harus berupa teks")
            user = self._users.get(nik)
        elif email is not None:
            if not isinstance(email, str) or not email:
                raise _bad_request("email harus berupa teks")
            user = next((u for u in self._users.values() if u.email.lower() == email.lower()), None)
        else:
            raise _bad_request("nik atau email wajib diisi")
        if user is None or user.status == "NOT_REGISTERED":
            raise ContractError(400, CODE_NOT_REGISTERED, "Pengguna tidak terdaftar")
        return user

    @staticmethod
    def _require_certificate(user: BsreUser) -> None:
        if user.cert_label is None or user.status == "NO_CERTIFICATE":
            raise ContractError(400, CODE_NO_CERTIFICATE, "Pengguna tidak memiliki sertifikat")
        if user.status != "ISSUE":
            raise ContractError(
                400, CODE_NO_CERTIFICATE, f"Sertifikat pengguna tidak aktif (status {user.status})"
            )

    # -- test helpers ------------------------------------------------------------------------------

    def last_totp(self, nik: str) -> str:
        """The last TOTP made for this NIK: what BeSign Mobile would show the official."""
        return self._issued_totps[nik]

    def reset(self) -> None:
        """Clear fault switches, recorded requests and TOTPs; users back to the defaults (if registered)."""
        self.faults = Faults()
        with self._lock:
            self._generation += 1
            if self._defaults:
                self._users = {nik: replace(user) for nik, user in self._defaults.items()}
            self.requests.clear()
            self.errors.clear()
            self._totps.clear()
            self._issued_totps.clear()

    def __getattr__(self, name: str) -> Any:
        # Fault switches read as server attributes too: ``server.tamper``.
        if name in Faults.__dataclass_fields__:
            return getattr(self.__dict__["faults"], name)
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in Faults.__dataclass_fields__:
            setattr(self.faults, name, value)
        else:
            super().__setattr__(name, value)

    def serve_on(self, servers: Any) -> str:
        """Add the app to an :class:`~tests.outside.servers.OutsideServers` loop; its base URL."""
        self.url = str(servers.add_app(self.app)).rstrip("/")
        return self.url

    # -- HTTP --------------------------------------------------------------------------------------

    def _build_app(self) -> web.Application:
        app = web.Application(middlewares=[self._record, self._basic_auth], client_max_size=256 * 1024**2)
        app.router.add_post("/api/v2/user/check/status", self._json_route(self._check_status))
        app.router.add_post("/api/v2/sign/get/totp", self._json_route(self._get_totp))
        app.router.add_post("/api/v2/sign/pdf", self._json_route(self._sign_pdf))
        app.router.add_get("/api/v2/user/certificate/chain/{id}", self._certificate_chain)
        return app

    def _authorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        user, sep, password = decoded.partition(":")
        ok_user = hmac.compare_digest(user.encode(), self.client_id.encode())
        ok_password = hmac.compare_digest(password.encode(), self.client_secret.encode())
        return bool(sep) and ok_user and ok_password

    @web.middleware
    async def _record(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        started = time.monotonic()
        generation = self._generation
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            body: Any = None
            raw = await request.read() if request.body_exists else b""
            if raw:
                try:
                    body = _redact(json.loads(raw))
                except ValueError:
                    body = "<bukan JSON>"
            with self._lock:
                # A call still running when a test reset the server (a delayed sign the client gave
                # up on) belongs to that earlier test, not to the next one's record.
                if generation == self._generation:
                    self.requests.append(
                        RecordedRequest(
                            method=request.method,
                            path=request.path,
                            body=body,
                            http_status=status,
                            duration=time.monotonic() - started,
                            authorized=self._authorized(request),
                        )
                    )

    @web.middleware
    async def _basic_auth(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if not self._authorized(request):
            return _spring_error(request, 401, "Unauthorized")
        try:
            return await handler(request)
        except web.HTTPNotFound:
            return _spring_error(request, 404, "Not Found")
        except web.HTTPMethodNotAllowed:
            return _spring_error(request, 405, "Method Not Allowed")

    def _json_route(
        self, action: Callable[[web.Request, dict[str, Any]], Awaitable[web.Response]]
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handler(request: web.Request) -> web.Response:
            try:
                body = json.loads(await request.read())
            except ValueError:
                return _contract_error(_bad_request("Badan permintaan harus JSON"))
            if not isinstance(body, dict):
                return _contract_error(_bad_request("Badan permintaan harus objek JSON"))
            try:
                return await action(request, body)
            except ContractError as exc:
                return _contract_error(exc)

        return handler

    async def _check_status(self, _request: web.Request, body: dict[str, Any]) -> web.Response:
        try:
            user = self._find_user(body)
        except ContractError as exc:
            if exc.status_code != CODE_NOT_REGISTERED:
                raise
            return web.json_response(
                {
                    "status_code": CODE_NOT_REGISTERED,
                    "message": "Pengguna tidak terdaftar",
                    "status": "NOT_REGISTERED",
                }
            )
        messages = {
            "ISSUE": "Sertifikat pengguna aktif",
            "EXPIRED": "Sertifikat pengguna sudah kedaluwarsa",
            "RENEW": "Sertifikat pengguna sedang diperbarui",
            "WAITING_FOR_VERIFICATION": "Pendaftaran pengguna menunggu verifikasi",
            "NEW": "Pengguna baru, sertifikat belum diterbitkan",
            "NO_CERTIFICATE": "Pengguna tidak memiliki sertifikat",
            "SUSPEND": "Sertifikat pengguna ditangguhkan",
            "REVOKE": "Sertifikat pengguna telah dicabut",
        }
        return web.json_response(
            {"status_code": CODE_FOUND, "message": messages[user.status], "status": user.status}
        )

    async def _certificate_chain(self, request: web.Request) -> web.Response:
        ident = request.match_info["id"]
        try:
            user = self._find_user({"email": ident} if "@" in ident else {"nik": ident})
            self._require_certificate(user)
        except ContractError as exc:
            return _contract_error(exc)
        assert user.cert_label is not None
        certs = [self.pki.cert(BSRE_ARCH, user.cert_label), *self.pki.chain(BSRE_ARCH, user.cert_label)]
        return web.json_response(
            {
                "status_code": CODE_FOUND,
                "message": "Rantai sertifikat pengguna",
                "data": [base64.b64encode(_asn1_cert(c).dump()).decode("ascii") for c in certs],
            }
        )

    async def _get_totp(self, _request: web.Request, body: dict[str, Any]) -> web.Response:
        count = body.get("data")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise _bad_request("data harus berupa jumlah berkas (bilangan bulat mulai dari 1)")
        user = self._find_user(body)
        self._require_certificate(user)
        code = f"{secrets.randbelow(10**6):06d}"
        with self._lock:
            self._totps[user.nik] = _Totp(code, count, time.monotonic() + self.totp_ttl_seconds)
            self._issued_totps[user.nik] = code
        return web.json_response(
            {
                "status_code": CODE_FOUND,
                "message": "TOTP telah dikirim ke aplikasi BeSign Mobile",
                "data": count,
            }
        )

    def _check_secret(self, user: BsreUser, body: Mapping[str, Any], files: int) -> None:
        passphrase, totp = body.get("passphrase"), body.get("totp")
        wrong = ContractError(400, CODE_WRONG_PASSPHRASE, MSG_WRONG_PASSPHRASE)
        if passphrase is not None:
            if not isinstance(passphrase, str):
                raise _bad_request("passphrase harus berupa teks")
            if not hmac.compare_digest(passphrase.encode(), user.passphrase.encode()):
                raise wrong
            return
        if totp is None:
            raise _bad_request("passphrase atau totp wajib diisi")
        if not isinstance(totp, str):
            raise _bad_request("totp harus berupa teks")
        with self._lock:
            grant = self._totps.get(user.nik)
            if (
                grant is None
                or grant.expires < time.monotonic()
                or grant.files_left < files
                or not hmac.compare_digest(totp.encode(), grant.code.encode())
            ):
                raise wrong
            grant.files_left -= files
            if grant.files_left == 0:
                del self._totps[user.nik]

    async def _sign_pdf(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        started = time.monotonic()
        files = body.get("file")
        if not isinstance(files, list) or not files or not all(isinstance(f, str) for f in files):
            raise _bad_request("file wajib berupa array berisi PDF dalam base64")
        props = body.get("signatureProperties")
        if not isinstance(props, list) or not props:
            raise _bad_request("signatureProperties wajib berupa array yang tidak kosong")
        if len(props) not in (1, len(files)):
            raise _bad_request("Jumlah signatureProperties harus 1 atau sama dengan jumlah file")
        placements = [parse_placement(p) for p in props]
        if len(placements) == 1:
            placements = placements * len(files)
        decoded: list[bytes] = []
        for index, item in enumerate(files):
            try:
                decoded.append(base64.b64decode(item, validate=True))
            except binascii.Error as exc:
                raise _bad_request(f"file[{index}] bukan base64 yang sah") from exc
        user = self._find_user(body)
        self._require_certificate(user)
        self._check_secret(user, body, len(decoded))
        faults = self.faults
        if faults.delay_seconds > 0:
            await asyncio.sleep(faults.delay_seconds)
        if faults.fail_with_500:
            return _spring_error(request, 500, "Internal Server Error")
        label = self._signing_label(user, faults)
        loop = asyncio.get_running_loop()
        signed: list[str] = []
        for pdf, placement in zip(decoded, placements, strict=True):
            try:
                out = await loop.run_in_executor(None, self._sign_file, pdf, placement, label, faults)
            except ContractError:
                raise
            except Exception:  # noqa: BLE001 - BSrE answers any unreadable input with a bare 500
                self.errors.append(traceback.format_exc())
                return _spring_error(request, 500, "Internal Server Error")
            signed.append(base64.b64encode(out).decode("ascii"))
        return web.json_response({"time": int((time.monotonic() - started) * 1000), "file": signed})

    # -- signing -----------------------------------------------------------------------------------

    def _signing_label(self, user: BsreUser, faults: Faults) -> str:
        assert user.cert_label is not None
        if not faults.wrong_signer:
            return user.cert_label
        others = sorted(
            u.cert_label
            for u in self._users.values()
            if u.cert_label not in (None, user.cert_label, "revoked", "expired") and u.status == "ISSUE"
        )
        if not others:
            raise RuntimeError("wrong_signer needs a second registered user with a certificate")
        return str(others[0])

    def _sign_file(self, pdf: bytes, placement: Placement, label: str, faults: Faults) -> bytes:
        if not pdf.lstrip(b"\x00\t\n\r ").startswith(b"%PDF-"):
            raise ValueError("not a PDF")
        if faults.tamper:
            pdf = tamper_signed_part(pdf)
        if faults.non_incremental:
            pdf = full_rewrite(pdf)
        out = self._sign_once(pdf, placement, label)
        if faults.extra_signature:
            second = Placement(visible=False, reason=placement.reason, pdf_password=placement.pdf_password)
            out = self._sign_once(out, second, label)
        return out

    def _sign_once(self, pdf: bytes, placement: Placement, label: str) -> bytes:
        from pyhanko.pdf_utils.images import PdfImage
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.pdf_utils.layout import AxisAlignment, InnerScaling, Margins, SimpleBoxLayoutRule
        from pyhanko.sign import fields, signers
        from pyhanko.sign.timestamps import HTTPTimeStamper
        from pyhanko.stamp import StaticStampStyle, TextStampStyle
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        if placement.pdf_password is not None and writer.security_handler is not None:
            writer.encrypt(placement.pdf_password)  # type: ignore[no-untyped-call]
        existing = {name for name, _, _ in fields.enumerate_sig_fields(writer.prev)}
        number = len(existing) + 1
        while f"Signature{number}" in existing:
            number += 1
        name = f"Signature{number}"
        spec = fields.SigFieldSpec(sig_field_name=name)
        style: Any = None
        if placement.visible:
            page_index, box = self._resolve_box(pdf, placement)
            spec = fields.SigFieldSpec(sig_field_name=name, on_page=page_index, box=box)  # type: ignore[arg-type]
            if placement.image_png is not None:
                from PIL import Image

                image = Image.open(io.BytesIO(placement.image_png))
                image.load()
                style = StaticStampStyle(
                    background=PdfImage(image),
                    border_width=0,
                    background_layout=SimpleBoxLayoutRule(
                        x_align=AxisAlignment.ALIGN_MID,
                        y_align=AxisAlignment.ALIGN_MID,
                        margins=Margins.uniform(0),  # type: ignore[no-untyped-call]
                        inner_content_scaling=InnerScaling.STRETCH_TO_FIT,
                    ),
                )
            else:
                style = TextStampStyle(
                    stamp_text="Ditandatangani secara elektronik oleh\n%(signer)s\n%(ts)s",
                    border_width=1,
                )
        meta = signers.PdfSignatureMetadata(
            field_name=name,
            reason=placement.reason,
            location=placement.location,
            contact_info=placement.contact_info,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            embed_validation_info=False,
            use_pades_lta=False,
        )
        signer = signers.SimpleSigner(
            signing_cert=_asn1_cert(self.pki.cert(BSRE_ARCH, label)),
            signing_key=_asn1_key(self.pki.key(BSRE_ARCH, label)),
            cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
                [_asn1_cert(c) for c in self.pki.chain(BSRE_ARCH, label)]
            ),
        )
        pdf_signer = signers.PdfSigner(
            meta,
            signer,
            timestamper=HTTPTimeStamper(self.pki.tsa_url(BSRE_ARCH)),
            stamp_style=style,
            new_field_spec=spec,
        )
        out = pdf_signer.sign_pdf(writer, in_place=False)
        return bytes(out.getvalue())

    @staticmethod
    def _resolve_box(pdf: bytes, placement: Placement) -> tuple[int, tuple[float, float, float, float]]:
        assert placement.box is not None
        if placement.tag is not None:
            hit = find_tag(pdf, placement.tag, placement.page, placement.pdf_password)
            if hit is None:
                raise _bad_request(f"tag_koordinat {placement.tag!r} tidak ditemukan pada dokumen")
            page_index, x, y = hit
            width, height = placement.box[2], placement.box[3]
            return page_index, (x, y, x + width, y + height)
        assert placement.page is not None
        reader = _pypdf(pdf, placement.pdf_password)
        if placement.page > len(reader.pages):
            raise _bad_request(f"signatureProperties.page {placement.page} melebihi jumlah halaman")
        page_index = placement.page - 1
        media = reader.pages[page_index].mediabox
        llx, lly = float(media.left), float(media.bottom)
        x1, y1, x2, y2 = placement.box
        return page_index, (x1 + llx, y1 + lly, x2 + llx, y2 + lly)


def _field(person: Any, name: str) -> Any:
    if person is None:
        return None
    if isinstance(person, Mapping):
        return person.get(name)
    return getattr(person, name, None)


def tamper_signed_part(pdf: bytes) -> bytes:
    """Flip one byte that an earlier signature covers, keeping the file parseable.

    The byte flipped is in the binary comment on the file's second line (every signature's first
    byte range starts at offset 0), or the header's minor version digit when there is no such comment.
    """
    header_end = pdf.find(b"\n", pdf.find(b"%PDF-")) + 1
    second = pdf[header_end : header_end + 8]
    if second.startswith(b"%") and len(second) > 1 and second[1] >= 0x80:
        index = header_end + 1
        return pdf[:index] + bytes([pdf[index] ^ 0x01]) + pdf[index + 1 :]
    index = pdf.find(b"%PDF-") + 7
    digit = pdf[index : index + 1]
    replacement = b"4" if digit != b"4" else b"5"
    return pdf[:index] + replacement + pdf[index + 1 :]


def full_rewrite(pdf: bytes) -> bytes:
    """The same document saved from scratch by pypdf: same content, not an extension of the input."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
