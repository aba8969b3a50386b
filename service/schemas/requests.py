"""Schemas of the small requests around a document: archive search, revision choice, delegation,
and the signing page's decision form. Unknown fields are refused, never ignored.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from marshmallow import RAISE, ValidationError, fields, post_load, validate, validates_schema

from service.schemas.base import SkemaIndonesia
from service.schemas.identitas import SertifikatSchema
from service.scoring.vocabulary import DOCUMENT_TYPES, STATUSES

__all__ = [
    "MAX_P12",
    "MIN_PASSPHRASE",
    "SIGNER_STATUSES",
    "ArchiveQuerySchema",
    "BsreDecisionSchema",
    "CscDecisionSchema",
    "DecisionSchema",
    "DelegateSchema",
    "FirstUseDecisionSchema",
    "P12FirstUseDecisionSchema",
    "RevisionQuerySchema",
]

#: Largest ``.p12`` a signer may upload (a key and a short chain are a few KiB).
MAX_P12 = 64 * 1024
#: Minimum length of a passphrase a signer chooses on first use.
MIN_PASSPHRASE = 10
MAX_ALASAN = 2000
#: A signer's status (api.md): not yet their turn, their turn, and how it ended.
SIGNER_STATUSES = ("waiting", "pending", "signed", "rejected", "cancelled")


class _Strict(SkemaIndonesia):
    """Unknown fields are refused (a misspelt parameter must not widen a search); messages Indonesian."""

    class Meta:
        unknown = RAISE


class _Pola(validate.Regexp):
    """A pattern the whole value must match, as JSON Schema's ``pattern`` in the OpenAPI document
    reads it (``re.match`` with ``$`` would let a final newline through). Write digits as ``[0-9]``:
    Python's class of digits also takes other scripts' digits, ECMA-262's does not.
    """

    def __init__(self, regex: str, *, error: str) -> None:
        super().__init__(regex, error=error)
        self._whole = re.compile(regex)

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, str) or self._whole.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


class _Teks(fields.String):
    default_error_messages = {  # noqa: RUF012 - marshmallow merges it along the MRO
        "required": "wajib diisi",
        "null": "tidak boleh kosong (null)",
        "invalid": "harus berupa teks",
    }


class _Bulat(fields.Integer):
    default_error_messages = {  # noqa: RUF012 - marshmallow merges it along the MRO
        "required": "wajib diisi",
        "null": "tidak boleh kosong (null)",
        "invalid": "harus bilangan bulat",
    }


class _Email(fields.Email):
    default_error_messages = {  # noqa: RUF012 - marshmallow merges it along the MRO
        "required": "wajib diisi",
        "null": "tidak boleh kosong (null)",
        "invalid": "harus berupa alamat email yang sah",
    }


def _paling_banyak(limit: int) -> validate.Length:
    return validate.Length(max=limit, error="paling banyak {max} karakter")


#: Search text holds no control characters: none belongs in a name, and PostgreSQL refuses NUL.
_TANPA_KENDALI = _Pola(r"^[^\x00-\x1f\x7f]*$", error="tidak boleh memuat karakter kendali")

#: RFC 3339 ``date-time``: seconds required, a fraction optional, an offset required. A ``+`` of
#: the offset left unencoded in a URL arrives as a space; it is read as the ``+`` it was.
_RFC3339 = re.compile(
    r"(?P<waktu>[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?)"
    r"(?P<zona>[Zz]|[+ -][0-9]{2}:[0-9]{2})?"
)


class _WaktuBerzona(fields.AwareDateTime):
    """An RFC 3339 date-time with its offset (``Z`` or ``+07:00``), read as an aware ``datetime``;
    a time without an offset is refused, never guessed to be UTC or the server's zone.
    """

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)
        self._name = name

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        contoh = "misalnya 2024-07-01T08:00:00+07:00 atau 2024-07-01T01:00:00Z"
        found = _RFC3339.fullmatch(value) if isinstance(value, str) else None
        if found is None:
            raise ValidationError(
                f"{self._name} harus tanggal dan waktu RFC 3339 dengan zona waktu, {contoh}."
            )
        if found["zona"] is None:
            raise ValidationError(f"{self._name} harus menyebut zona waktunya (Z atau +07:00), {contoh}.")
        zona = found["zona"].upper().replace(" ", "+")
        waktu = found["waktu"].upper()
        if "." in waktu:  # Python reads at most microseconds
            waktu, _, pecahan = waktu.partition(".")
            waktu = f"{waktu}.{pecahan[:6].ljust(6, '0')}"
        try:
            # In UTC here: a moment at the edge of the calendar (year 1 at +01:00) has none.
            return datetime.fromisoformat(waktu + ("+00:00" if zona == "Z" else zona)).astimezone(UTC)
        except (ValueError, OverflowError):
            raise ValidationError(f"{self._name} bukan tanggal dan waktu yang ada, {contoh}.") from None


class ArchiveQuerySchema(_Strict):
    """Archive search (``GET /api/v1/documents`` and the ``/arsip`` form)."""

    nip = _Teks(
        validate=_Pola(r"^[0-9]{1,18}$", error="NIP hanya berisi angka, paling banyak 18."),
        metadata={"description": "NIP pegawai atau awalannya (198509 menemukan semua NIP berawalan itu)"},
    )
    nama = _Teks(
        validate=[_paling_banyak(200), _TANPA_KENDALI],
        metadata={
            "description": "Kata dari nama pegawai, urutan bebas; semua kata harus ada, kata terakhir "
            "boleh sebagian (mis. 'siti rahma')"
        },
    )
    unit_kerja = _Teks(
        validate=[_paling_banyak(300), _TANPA_KENDALI],
        metadata={"description": "Kata dari nama unit kerja (mis. 'kepegawaian'), seperti nama"},
    )
    periode = _Bulat(
        validate=validate.Range(min=2000, max=2100, error="harus tahun dari {min} sampai {max}"),
        error_messages={"invalid": "Periode diisi tahun empat angka, misalnya 2024."},
    )
    type = _Teks(validate=validate.OneOf(DOCUMENT_TYPES, error="harus salah satu dari {choices}"))
    status = _Teks(validate=validate.OneOf(STATUSES, error="harus salah satu dari {choices}"))
    q = _Teks(
        validate=[_paling_banyak(200), _TANPA_KENDALI],
        metadata={
            "description": "Kata dari nama pegawai atau unit kerja; hanya angka: awalan NIP",
        },
    )
    signer_nip = _Teks(
        validate=_Pola(r"^(?:[0-9]{18}|[0-9]{16})$", error="harus NIP 18 angka atau NIK 16 angka."),
        metadata={
            "description": "NIP (atau NIK pejabat negara) seorang penanda tangan, utuh; juga Plt/Plh yang "
            "menandatangani menggantikan pejabat semula"
        },
    )
    signer_status = _Teks(
        validate=validate.OneOf(SIGNER_STATUSES, error="harus salah satu dari {choices}"),
        metadata={
            "description": "Status penanda tangan; bersama signer_nip berlaku untuk penanda tangan itu "
            "(signer_nip=…&signer_status=pending: yang sedang menunggu NIP itu), tanpa signer_nip: "
            "penanda tangan mana pun"
        },
    )
    updated_since = _WaktuBerzona(
        "updated_since",
        metadata={
            "description": "Hanya dokumen yang berubah (updated_at) pada atau sesudah waktu ini; RFC 3339 "
            "dengan zona waktu, mis. 2024-07-01T08:00:00+07:00"
        },
    )
    cursor = _Teks(validate=_paling_banyak(200))
    limit = _Bulat(
        validate=validate.Range(min=1, max=100, error="harus dari {min} sampai {max}"), load_default=20
    )


class RevisionQuerySchema(_Strict):
    """``?revision=N`` of a PDF download; absent means the newest."""

    #: Digits only: ``int()`` would also take " 1", "+1" or "1_0".
    revision = _Teks(validate=_Pola(r"^[0-9]{1,6}$", error="harus bilangan bulat tidak negatif"))

    @post_load
    def _number(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if "revision" in data:
            data["revision"] = int(data["revision"])
        return data


class DelegateSchema(_Strict):
    """A Plt/Plh official who signs in the role instead of the one named in the payload."""

    jenis = _Teks(
        required=True, validate=validate.OneOf(["plt", "plh"], error="harus salah satu dari {choices}")
    )
    nama = _Teks(
        required=True,
        validate=validate.Length(min=1, max=200, error="wajib diisi, paling banyak {max} karakter"),
    )
    nip = _Teks(required=True, validate=_Pola(r"^[0-9]{18}$", error="harus 18 digit"))
    jabatan = _Teks(
        required=True,
        validate=validate.Length(min=1, max=300, error="wajib diisi, paling banyak {max} karakter"),
    )
    email = _Email(validate=_paling_banyak(300))
    keterangan = _Teks(validate=_paling_banyak(500))
    nik = _Teks(validate=_Pola(r"^[0-9]{16}$", error="harus 16 angka"))
    sertifikat = fields.Nested(SertifikatSchema)


class DecisionSchema(_Strict):
    """The signing page's form of an official who already has a key: sign with it, or refuse.

    One message at a time, in the order an official would fix them (the page shows one).
    """

    csrf_token = fields.String()
    keputusan = fields.String(load_default="")
    alasan = fields.String(load_default="")
    passphrase = fields.String(load_default="")
    passphrase_konfirmasi = fields.String(load_default="")
    #: The one-time code that proves who enrolls (first key, or ``daftar_ulang``).
    kode_verifikasi = fields.String(
        load_default="", validate=validate.Length(max=40, error="paling banyak {max} karakter")
    )
    #: ``1``: the official lost their passphrase and enrolls a new key (the old one is revoked).
    daftar_ulang = fields.String(
        load_default="", validate=validate.OneOf(["", "1"], error="harus 1 atau kosong")
    )
    #: The uploaded ``.p12`` (bytes read by the page, at most ``MAX_P12 + 1``).
    p12 = fields.Raw(load_default=None)
    #: A CSC provider's PIN or one-time password, or a TOTP from BSrE's BeSign Mobile app.
    pin = fields.String(
        load_default="", validate=validate.Length(max=100, error="paling banyak {max} karakter")
    )
    otp = fields.String(
        load_default="", validate=validate.Length(max=100, error="paling banyak {max} karakter")
    )
    totp = fields.String(
        load_default="", validate=validate.Length(max=20, error="paling banyak {max} karakter")
    )

    first_use = False
    #: Decisions besides signing and refusing this form takes (``kirim_kode``: send the code again).
    other_decisions: tuple[str, ...] = ("kirim_kode",)

    @validates_schema
    def _rules(self, data: dict[str, Any], **_: Any) -> None:
        keputusan = data["keputusan"]
        if keputusan == "tolak":
            alasan = data["alasan"].strip()
            if not alasan:
                raise ValidationError("Alasan penolakan wajib diisi.", "alasan")
            if len(alasan) > MAX_ALASAN:
                raise ValidationError("Alasan penolakan terlalu panjang.", "alasan")
            return
        if keputusan in self.other_decisions:
            return
        if keputusan != "tandatangani":
            raise ValidationError("Pilih tandatangani atau tolak.", "keputusan")
        self._sign_rules(data)

    def _sign_rules(self, data: dict[str, Any]) -> None:
        if data["p12"] is not None:
            raise ValidationError(
                "Anda sudah memiliki kunci; unggah .p12 hanya pada penggunaan pertama.", "p12"
            )
        if not data["passphrase"]:
            raise ValidationError("Frasa sandi wajib diisi.", "passphrase")


class BsreDecisionSchema(DecisionSchema):
    """The form of an official who signs through BSrE: their BSrE passphrase, or a TOTP from
    BeSign Mobile (``kirim_totp`` asks BSrE to send one).
    """

    other_decisions = ("kirim_totp",)

    def _sign_rules(self, data: dict[str, Any]) -> None:
        if data["p12"] is not None:
            raise ValidationError("Penanda tangan melalui BSrE tidak mengunggah .p12.", "p12")
        if not data["passphrase"] and not data["totp"].strip():
            raise ValidationError("Passphrase BSrE atau TOTP wajib diisi.", "passphrase")


class CscDecisionSchema(DecisionSchema):
    """The form of an official whose key is at a CSC provider: the PIN, or a one-time password."""

    other_decisions = ()

    def _sign_rules(self, data: dict[str, Any]) -> None:
        if data["p12"] is not None:
            raise ValidationError("Kunci Anda ada pada penyedia tanda tangan; tidak perlu .p12.", "p12")
        if not data["pin"] and not data["otp"].strip():
            raise ValidationError("PIN atau OTP penyedia tanda tangan wajib diisi.", "pin")


class FirstUseDecisionSchema(DecisionSchema):
    """The same form to enroll (first use, or ``daftar_ulang``): the code, then a passphrase chosen
    twice, or your own ``.p12``.
    """

    first_use = True

    def _sign_rules(self, data: dict[str, Any]) -> None:
        if not data["kode_verifikasi"].strip():
            raise ValidationError("Kode verifikasi wajib diisi.", "kode_verifikasi")
        p12 = data["p12"]
        if p12 is not None:
            if len(p12) > MAX_P12:
                raise ValidationError("Berkas .p12 terlalu besar.", "p12")
            if not data["passphrase"]:
                raise ValidationError("Frasa sandi berkas .p12 wajib diisi.", "passphrase")
            return
        if len(data["passphrase"]) < MIN_PASSPHRASE:
            raise ValidationError(f"Frasa sandi minimal {MIN_PASSPHRASE} karakter.", "passphrase")
        if data["passphrase"] != data["passphrase_konfirmasi"]:
            raise ValidationError("Konfirmasi frasa sandi tidak sama.", "passphrase_konfirmasi")


class P12FirstUseDecisionSchema(FirstUseDecisionSchema):
    """Enrolling an official whose provider is their own ``.p12``: the file is required."""

    def _sign_rules(self, data: dict[str, Any]) -> None:
        if data["p12"] is None:
            raise ValidationError("Unggah berkas .p12 Anda (sertifikat atas NIP atau NIK Anda).", "p12")
        super()._sign_rules(data)
