"""Schemas of the small requests around a document: archive search, revision choice, delegation,
and the signing page's decision form. Unknown fields are refused, never ignored.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from service.schemas.base import MSG_TIDAK_DIKENAL
from service.schemas.identitas import SertifikatSchema
from service.scoring.vocabulary import DOCUMENT_TYPES, STATUSES

__all__ = [
    "MAX_P12",
    "MIN_PASSPHRASE",
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


class _Strict(Schema):
    """Unknown fields are refused (a misspelt parameter must not widen a search)."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": MSG_TIDAK_DIKENAL}  # noqa: RUF012 - marshmallow reads this class attribute


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
    type = _Teks(validate=validate.OneOf(DOCUMENT_TYPES, error="Jenis dokumen tidak dikenal."))
    status = _Teks(validate=validate.OneOf(STATUSES, error="Status tidak dikenal."))
    q = _Teks(
        validate=[_paling_banyak(200), _TANPA_KENDALI],
        metadata={
            "description": "Kata dari nama pegawai atau unit kerja; hanya angka: awalan NIP",
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
