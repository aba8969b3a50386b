"""Schemas of the small requests around a document: archive search, revision choice, delegation,
and the signing page's decision form. Unknown fields are refused, never ignored.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from service.schemas.base import MSG_TIDAK_DIKENAL
from service.scoring.vocabulary import DOCUMENT_TYPES, STATUSES

__all__ = [
    "MAX_P12",
    "MIN_PASSPHRASE",
    "ArchiveQuerySchema",
    "DecisionSchema",
    "DelegateSchema",
    "FirstUseDecisionSchema",
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


class ArchiveQuerySchema(_Strict):
    """Archive search (``GET /api/v1/documents`` and the ``/arsip`` form)."""

    nip = fields.String(
        validate=validate.Regexp(r"^\d{1,18}$", error="NIP hanya berisi angka, paling banyak 18.")
    )
    nama = fields.String(validate=validate.Length(max=200))
    unit_kerja = fields.String(validate=validate.Length(max=300))
    periode = fields.Integer(
        validate=validate.Range(min=2000, max=2100),
        error_messages={"invalid": "Periode diisi tahun empat angka, misalnya 2024."},
    )
    type = fields.String(validate=validate.OneOf(DOCUMENT_TYPES, error="Jenis dokumen tidak dikenal."))
    status = fields.String(validate=validate.OneOf(STATUSES, error="Status tidak dikenal."))
    q = fields.String(validate=validate.Length(max=200))
    cursor = fields.String(validate=validate.Length(max=200))
    limit = fields.Integer(validate=validate.Range(min=1, max=100), load_default=20)


class RevisionQuerySchema(_Strict):
    """``?revision=N`` of a PDF download; absent means the newest."""

    #: Digits only: ``int()`` would also take " 1", "+1" or "1_0".
    revision = fields.String(
        validate=validate.Regexp(r"^[0-9]{1,6}$", error="harus bilangan bulat tidak negatif")
    )

    @post_load
    def _number(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if "revision" in data:
            data["revision"] = int(data["revision"])
        return data


class DelegateSchema(_Strict):
    """A Plt/Plh official who signs in the role instead of the one named in the payload."""

    jenis = fields.String(required=True, validate=validate.OneOf(["plt", "plh"]))
    nama = fields.String(required=True, validate=validate.Length(min=1, max=200))
    nip = fields.String(required=True, validate=validate.Regexp(r"^\d{18}$", error="harus 18 digit"))
    jabatan = fields.String(required=True, validate=validate.Length(min=1, max=300))
    email = fields.Email(validate=validate.Length(max=300))
    keterangan = fields.String(validate=validate.Length(max=500))


class DecisionSchema(_Strict):
    """The signing page's form of an official who already has a key: sign with it, or refuse.

    One message at a time, in the order an official would fix them (the page shows one).
    """

    csrf_token = fields.String()
    keputusan = fields.String(load_default="")
    alasan = fields.String(load_default="")
    passphrase = fields.String(load_default="")
    passphrase_konfirmasi = fields.String(load_default="")
    #: The uploaded ``.p12`` (bytes read by the page, at most ``MAX_P12 + 1``).
    p12 = fields.Raw(load_default=None)

    first_use = False

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


class FirstUseDecisionSchema(DecisionSchema):
    """The same form on first use: choose a passphrase (twice), or bring your own ``.p12``."""

    first_use = True

    def _sign_rules(self, data: dict[str, Any]) -> None:
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
