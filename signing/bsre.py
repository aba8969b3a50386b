"""A client of BSrE's eSign Client Service v2 (``../shared/domain/bsre.md``), the agency-side HTTP API
through which an ASN signs with the certificate BSrE issued them.

Deliberately small and synchronous (``requests``): one call per user action, no automatic retry of
a sign call (a timeout after the request left means "unknown"; the official decides to try again).
The passphrase and TOTP travel only in the request body: they are never logged, kept or put in an
exception.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import requests

from signing.errors import (
    BsreConfigurationError,
    BsreError,
    BsreUserError,
    BsreWrongPassphraseError,
    ProviderUnavailableError,
)

__all__ = [
    "BSRE_STATUS_MESSAGES",
    "BsreAppearance",
    "BsreClient",
    "BsreUserStatus",
]

log = logging.getLogger(__name__)

PROVIDER = "BSrE"

#: What each user status means to the official, in their words.
BSRE_STATUS_MESSAGES: Mapping[str, str] = {
    "ISSUE": "Sertifikat elektronik BSrE Anda aktif dan dapat dipakai untuk menandatangani.",
    "NOT_REGISTERED": (
        "NIK Anda belum terdaftar di BSrE. Daftarkan diri melalui admin/RA instansi sebelum "
        "menandatangani secara elektronik."
    ),
    "NO_CERTIFICATE": (
        "Anda terdaftar di BSrE tetapi belum memiliki sertifikat elektronik. Ajukan penerbitan "
        "sertifikat melalui admin/RA instansi."
    ),
    "EXPIRED": (
        "Sertifikat elektronik BSrE Anda sudah kedaluwarsa. Ajukan pembaruan sertifikat melalui "
        "admin/RA instansi."
    ),
    "RENEW": (
        "Sertifikat elektronik BSrE Anda sedang dalam proses pembaruan; tunggu sampai pembaruan selesai."
    ),
    "WAITING_FOR_VERIFICATION": (
        "Pengajuan sertifikat elektronik BSrE Anda sedang menunggu verifikasi; tunggu sampai "
        "sertifikat diterbitkan."
    ),
    "NEW": (
        "Pengajuan sertifikat elektronik BSrE Anda baru dibuat dan belum diproses; tunggu sampai "
        "sertifikat diterbitkan."
    ),
    "SUSPEND": ("Sertifikat elektronik BSrE Anda sedang ditangguhkan (suspend). Hubungi admin/RA instansi."),
    "REVOKE": (
        "Sertifikat elektronik BSrE Anda telah dicabut (revoke). Ajukan sertifikat baru melalui "
        "admin/RA instansi."
    ),
}

# Error codes of the sign/status calls and the user status they stand for.
_CODE_STATUS = {2011: "NOT_REGISTERED", 2021: "NO_CERTIFICATE"}
_WRONG_PASSPHRASE = 2031


@dataclass(frozen=True, kw_only=True)
class BsreUserStatus:
    """What ``/api/v2/user/check/status`` says about an official."""

    status: str
    """``ISSUE``, ``EXPIRED``, ``RENEW``, ``WAITING_FOR_VERIFICATION``, ``NEW``, ``NO_CERTIFICATE``,
    ``NOT_REGISTERED``, ``SUSPEND``, ``REVOKE`` (or whatever else BSrE sends, kept as is)."""
    message: str
    """BSrE's own message."""
    status_code: int | None = None

    @property
    def can_sign(self) -> bool:
        """Only an issued certificate signs."""
        return self.status == "ISSUE"

    @property
    def pesan(self) -> str:
        """An Indonesian sentence for the official (BSrE's message for an unknown status)."""
        return BSRE_STATUS_MESSAGES.get(
            self.status, f"Status sertifikat BSrE Anda: {self.status} ({self.message})."
        )


@dataclass(frozen=True, kw_only=True)
class BsreAppearance:
    """Where and how BSrE draws the signature of one file.

    Coordinates are PDF points with the origin at the bottom-left of the page, as in
    :class:`signing.pdf.FieldSpec`; ``origin`` converts for a service that counts from the top.
    """

    visible: bool = True
    page: int = 1
    """One-based page number."""
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = 0
    image_png: bytes | None = None
    """The stamp image (see :func:`signing.stamp_image.stamp_png`)."""
    reason: str | None = None
    location: str | None = None
    contact_info: str | None = None
    tag: str | None = None
    """Place the stamp where this character appears in the text (``tag_koordinat``) instead."""
    page_height: float | None = None
    """Needed only with ``origin="top-left"``."""

    def as_signature_properties(
        self, *, origin: Literal["bottom-left", "top-left"] = "bottom-left"
    ) -> dict[str, Any]:
        """The ``signatureProperties`` entry for this appearance."""
        props: dict[str, Any] = {"tampilan": "VISIBLE" if self.visible else "INVISIBLE"}
        if self.visible:
            if self.image_png is not None:
                props["imageBase64"] = base64.b64encode(self.image_png).decode("ascii")
            if self.tag is not None:
                props["tag_koordinat"] = self.tag
            else:
                y = self.y
                if origin == "top-left":
                    if self.page_height is None:
                        raise ValueError("page_height is needed for a top-left origin")
                    y = self.page_height - self.y - self.height
                props.update(
                    page=self.page,
                    originX=_number(self.x),
                    originY=_number(y),
                    width=_number(self.width),
                    height=_number(self.height),
                )
        for key, value in (
            ("reason", self.reason),
            ("location", self.location),
            ("contactInfo", self.contact_info),
        ):
            if value is not None:
                props[key] = value
        return props


class BsreClient:
    """The eSign Client Service v2 of one agency.

    :param base_url: e.g. ``https://esign.example.go.id`` (the ``/api/v2/...`` paths are added).
    :param client_id: The agency's Basic Auth user.
    :param client_secret: Its password.
    :param timeout: Seconds to wait for an answer (a sign call takes about a second; BSrE's own
        integrations allow 30-120 s).
    :param connect_timeout: Seconds to wait for the connection.
    :param origin: Which corner ``originX/originY`` count from (sources disagree; configurable).
    :param status_path: The user status route (one client spells it ``check-status``).
    """

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: float,
        connect_timeout: float = 10,
        origin: Literal["bottom-left", "top-left"] = "bottom-left",
        status_path: str = "/api/v2/user/check/status",
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._auth = (client_id, client_secret)
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.origin = origin
        self.status_path = status_path
        self._session = session or requests.Session()

    def close(self) -> None:
        """Close the pooled connections."""
        self._session.close()

    def __enter__(self) -> BsreClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- calls ------------------------------------------------------------------------------------

    def user_status(self, nik: str) -> BsreUserStatus:
        """The official's certificate status, to show before they type a passphrase.

        :raises BsreConfigurationError: if BSrE refuses the agency's credentials.
        :raises ProviderUnavailableError: if BSrE cannot be reached or fails (5xx).
        :raises BsreError: for an answer that is not a status.
        """
        try:
            data = self._post(self.status_path, {"nik": nik})
        except BsreUserError as e:
            # Some installations answer an unknown NIK with a 4xx and code 2011 instead of a status.
            return BsreUserStatus(status=e.status, message=e.message, status_code=e.status_code)
        status = data.get("status")
        if not isinstance(status, str) or not status:
            raise BsreError(f"Jawaban status pengguna BSrE tidak dikenali: {_brief(data)}")
        code = data.get("status_code")
        return BsreUserStatus(
            status=status.upper(),
            message=str(data.get("message") or ""),
            status_code=code if isinstance(code, int) else None,
        )

    def request_totp(self, nik: str, count: int) -> None:
        """Ask BSrE to send a TOTP to the official's BeSign app, valid for ``count`` files.

        :raises BsreUserError: for a user who cannot sign (2011/2021).
        :raises BsreConfigurationError: if BSrE refuses the agency's credentials.
        :raises ProviderUnavailableError: if BSrE cannot be reached or fails (5xx).
        """
        if count < 1:
            raise ValueError("count must be at least 1")
        self._post("/api/v2/sign/get/totp", {"nik": nik, "data": count})

    def sign(
        self,
        files: Sequence[bytes],
        *,
        nik: str,
        passphrase: str | None = None,
        totp: str | None = None,
        appearances: Sequence[BsreAppearance],
    ) -> list[bytes]:
        """Sign ``files`` with the official's BSrE certificate in one call (one passphrase/TOTP).

        Each file gets the appearance at the same index (a single appearance is used for every
        file). The answer is in input order. Nothing is retried: a timeout after the request left
        raises :class:`ProviderUnavailableError` with ``dispatched=True``.

        :return: The signed PDFs, in the order of ``files``.
        :raises BsreWrongPassphraseError: for a wrong passphrase or TOTP (2031).
        :raises BsreUserError: if the official has no registration or no certificate (2011/2021).
        :raises BsreConfigurationError: if BSrE refuses the agency's credentials (401).
        :raises ProviderUnavailableError: timeout, connection error, HTTP 5xx.
        :raises BsreError: another refusal, or an answer that is not one signed PDF per file.
        """
        if (passphrase is None) == (totp is None):
            raise ValueError("give exactly one of passphrase and totp")
        if not files:
            raise ValueError("nothing to sign")
        if len(appearances) not in (1, len(files)):
            raise ValueError("one appearance, or one per file")
        if len(appearances) == 1 and len(files) > 1:
            appearances = [appearances[0]] * len(files)
        body: dict[str, Any] = {"nik": nik}
        if passphrase is not None:
            body["passphrase"] = passphrase
        else:
            body["totp"] = totp
        body["signatureProperties"] = [a.as_signature_properties(origin=self.origin) for a in appearances]
        body["file"] = [base64.b64encode(f).decode("ascii") for f in files]
        data = self._post("/api/v2/sign/pdf", body)
        del body
        returned = data.get("file")
        if not isinstance(returned, list) or not all(isinstance(f, str) for f in returned):
            raise BsreError(f"Jawaban penandatanganan BSrE tanpa daftar berkas: {_brief(data)}")
        if len(returned) != len(files):
            raise BsreError(
                f"BSrE mengembalikan {len(returned)} berkas untuk {len(files)} berkas yang dikirim."
            )
        try:
            signed = [base64.b64decode(f, validate=True) for f in returned]
        except (binascii.Error, ValueError) as e:
            raise BsreError(f"Berkas dari BSrE bukan base64 yang sah: {e}") from None
        for i, pdf in enumerate(signed):
            if not pdf.lstrip()[:5] == b"%PDF-":
                raise BsreError(f"Berkas ke-{i + 1} dari BSrE bukan PDF.")
        return signed

    # -- transport --------------------------------------------------------------------------------

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST JSON, map every failure to a typed error; the body is never logged."""
        url = self.base_url + path
        try:
            response = self._session.post(
                url, json=body, auth=self._auth, timeout=(self.connect_timeout, self.timeout)
            )
        except requests.exceptions.ConnectTimeout:
            raise ProviderUnavailableError(
                "waktu tunggu koneksi habis", provider=PROVIDER, dispatched=False
            ) from None
        except requests.exceptions.ReadTimeout:
            raise ProviderUnavailableError(
                f"tidak ada jawaban dalam {self.timeout:g} detik", provider=PROVIDER, dispatched=True
            ) from None
        except requests.exceptions.ConnectionError as e:
            # Refused/unreachable before the request was sent, or the connection dropped mid-way:
            # only a refused/unresolvable connection is certainly "not dispatched".
            dispatched = not _never_connected(e)
            raise ProviderUnavailableError(
                "koneksi gagal", provider=PROVIDER, dispatched=dispatched
            ) from None
        except requests.exceptions.RequestException as e:
            raise ProviderUnavailableError(type(e).__name__, provider=PROVIDER, dispatched=False) from None
        log.info("BSrE %s -> HTTP %s in %.2fs", path, response.status_code, response.elapsed.total_seconds())
        data = _json(response)
        if response.status_code == 401:
            raise BsreConfigurationError(str(data.get("error") or "HTTP 401"))
        if response.status_code >= 500:
            raise ProviderUnavailableError(f"HTTP {response.status_code}", provider=PROVIDER, dispatched=True)
        if response.status_code >= 400:
            raise _refusal(response.status_code, data)
        if response.status_code != 200:
            raise BsreError(f"Jawaban BSrE tidak dikenali: HTTP {response.status_code}")
        return data


def _refusal(http_status: int, data: dict[str, Any]) -> Exception:
    code = data.get("status_code")
    message = str(data.get("error") or data.get("message") or f"HTTP {http_status}")
    if isinstance(code, str) and code.isdigit():
        code = int(code)
    if code == _WRONG_PASSPHRASE:
        return BsreWrongPassphraseError()
    if isinstance(code, int) and code in _CODE_STATUS:
        status = _CODE_STATUS[code]
        return BsreUserError(status, BSRE_STATUS_MESSAGES[status], status_code=code)
    return BsreError(
        f"BSrE menolak permintaan: {message} (HTTP {http_status}"
        + (f", kode {code})" if code is not None else ")"),
        status_code=code if isinstance(code, int) else None,
    )


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _never_connected(error: requests.exceptions.ConnectionError) -> bool:
    """Whether the connection failed before any byte of the request was sent."""
    text = repr(error)
    return any(
        marker in text
        for marker in (
            "NewConnectionError",
            "Connection refused",
            "Name or service not known",
            "NameResolutionError",
        )
    )


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 2)


def _brief(data: Mapping[str, Any]) -> str:
    """Keys of an answer (never values: they may hold a document)."""
    return "{" + ", ".join(sorted(map(str, data))) + "}"
