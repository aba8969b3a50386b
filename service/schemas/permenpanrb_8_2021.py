"""``skp`` and ``perilaku_kerja`` under PermenPANRB 8/2021 (api.md "Regime-specific skp", rules.md §3)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields, validates_schema

from service.schemas.base import BaseSchema, Kesalahan, daftar, diisi, objek
from service.schemas.fields import Angka, Daftar, Messages, Objek, Pesan, Pilihan, Teks, YaTidak
from service.scoring import policy
from service.scoring.vocabulary import (
    ASPEK_PERMENPANRB_8_2021,
    KATEGORI_PERMENPANRB_8_2021,
    KELOMPOK_SURVEI,
    KEPEMIMPINAN,
    MODE_PERILAKU,
)

__all__ = [
    "ASPEK_PERILAKU_8_2021",
    "AspekPerilakuPermenPANRB8Schema",
    "KinerjaTambahanPermenPANRB8Schema",
    "KinerjaUtamaPermenPANRB8Schema",
    "PerilakuKerjaPermenPANRB8Schema",
    "RentangTargetSchema",
    "SkpPermenPANRB8Schema",
    "TargetIki",
]

#: Aspects every rater scores; kepemimpinan is added for jabatan struktural.
ASPEK_PERILAKU_8_2021 = tuple(name for name in ASPEK_PERMENPANRB_8_2021 if name != KEPEMIMPINAN)

_MAKS_PERILAKU = 120


class RentangTargetSchema(BaseSchema):
    """A target given as a range [min, max]: capaian is 100 % inside it."""

    min = Angka("Batas bawah target", minimum=0, required=True)
    max = Angka("Batas atas target", minimum=0, lebih_dari=True, required=True)

    @validates_schema(skip_on_field_errors=True)
    def _urut(self, data: dict[str, Any], **_: Any) -> None:
        if data["min"] > data["max"]:
            raise ValidationError("tidak boleh lebih besar dari max", "min")


class TargetIki(Pesan, fields.Field):  # type: ignore[type-arg]
    """A target above 0, or a range ``{"min", "max"}``."""

    default_error_messages: Messages = {"invalid": "harus berupa angka atau objek {{min, max}}"}  # noqa: RUF012

    def __init__(self, description: str, **kwargs: Any) -> None:
        self._angka = Angka(description, minimum=0, lebih_dari=True)
        self._rentang = RentangTargetSchema()
        super().__init__(
            metadata={
                "description": description,
                "oneOf": [
                    {"type": "number", "exclusiveMinimum": 0},
                    {
                        "type": "object",
                        "required": ["min", "max"],
                        "additionalProperties": False,
                        "properties": {
                            "min": {"type": "number", "minimum": 0},
                            "max": {"type": "number", "exclusiveMinimum": 0},
                        },
                    },
                ],
            },
            **kwargs,
        )

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Decimal | dict[str, Decimal]:
        if isinstance(value, Mapping):
            loaded: dict[str, Decimal] = self._rentang.load(value)
            return loaded
        if isinstance(value, list):
            raise self.make_error("invalid")
        number: Decimal = self._angka.deserialize(value)
        return number


class KinerjaUtamaPermenPANRB8Schema(BaseSchema):
    """One indikator kinerja individu (IKI) of a rencana kinerja."""

    rencana_kinerja = Teks("Rencana kinerja", max_length=1000, required=True)
    iki = Teks("Indikator kinerja individu", max_length=1000, required=True)
    target = TargetIki("Target (angka di atas 0) atau rentang {min, max}", required=True)
    realisasi = Angka("Realisasi; wajib untuk evaluasi dan dokumen_penilaian", minimum=0, allow_none=True)
    kondisi_khusus = YaTidak(
        "Makin kecil makin baik (mis. waktu, biaya): capaian = (1 + (1 − R/T)) × 100 %", allow_none=True
    )
    maksimal = YaTidak(
        "Target 100 % adalah capaian tertinggi yang mungkin; tercapai berarti Sangat Baik", allow_none=True
    )
    bobot = Angka(
        "Bobot IKI (diisi pada semua IKI atau tidak sama sekali)",
        minimum=0,
        lebih_dari=True,
        maksimum=100,
        allow_none=True,
    )


class KinerjaTambahanPermenPANRB8Schema(BaseSchema):
    """A kinerja tambahan item and its rating (adds 2.4 … 0.1 points)."""

    uraian = Teks("Uraian kinerja tambahan", max_length=1000, required=True)
    kategori = Pilihan("Kategori penilaian kinerja tambahan", KATEGORI_PERMENPANRB_8_2021, required=True)


class SkpPermenPANRB8Schema(BaseSchema):
    """Sasaran Kinerja Pegawai under PermenPANRB 8/2021."""

    kinerja_utama = Daftar(
        Objek(KinerjaUtamaPermenPANRB8Schema, "IKI kinerja utama"), "Kinerja utama", minimum=1, required=True
    )
    kinerja_tambahan = Daftar(
        Objek(KinerjaTambahanPermenPANRB8Schema, "Kinerja tambahan"),
        "Kinerja tambahan",
        maksimum=100,
        allow_none=True,
    )

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _bobot(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        # Policy (service.scoring.policy.bobot_iki): a bobot on every IKI or on none; each bobot is
        # above 0 (field rule), so their sum is too.
        rows = [row for row in daftar(objek(original).get("kinerja_utama")) if isinstance(row, Mapping)]
        weighted = [diisi(row, "bobot") for row in rows]
        if not any(weighted):
            return
        errors = Kesalahan()
        for index, given in enumerate(weighted):
            if not given:
                errors.tambah(
                    f"kinerja_utama.{index}.bobot", "wajib diisi bila bobot diisi pada indikator kinerja lain"
                )
        errors.raise_if_any()


class AspekPerilakuPermenPANRB8Schema(BaseSchema):
    """One rater's scores, each 0–120.

    The fields are :data:`~service.scoring.vocabulary.ASPEK_PERMENPANRB_8_2021`, in that order.
    """

    orientasi_pelayanan = Angka("Orientasi pelayanan", minimum=0, maksimum=_MAKS_PERILAKU, required=True)
    komitmen = Angka("Komitmen", minimum=0, maksimum=_MAKS_PERILAKU, required=True)
    inisiatif_kerja = Angka("Inisiatif kerja", minimum=0, maksimum=_MAKS_PERILAKU, required=True)
    kerja_sama = Angka("Kerja sama", minimum=0, maksimum=_MAKS_PERILAKU, required=True)
    kepemimpinan = Angka(
        "Kepemimpinan; wajib untuk JPT, administrator, pengawas, dan tidak diisi untuk "
        "pelaksana atau fungsional",
        minimum=0,
        maksimum=_MAKS_PERILAKU,
        allow_none=True,
    )


class PerilakuKerjaPermenPANRB8Schema(BaseSchema):
    """Perilaku judged by the atasan alone (70/30) or by closed survey, 360° (60/40)."""

    mode = Pilihan(
        "atasan: atasan langsung saja (bobot 70/30); survei: atasan 60 %, rekan 20 %, "
        "bawahan 20 % (bobot 60/40)",
        MODE_PERILAKU,
        required=True,
    )
    atasan = Objek(AspekPerilakuPermenPANRB8Schema, "Penilaian atasan langsung", required=True)
    rekan = Daftar(
        Objek(AspekPerilakuPermenPANRB8Schema, "Penilaian satu rekan kerja"),
        "Penilaian rekan kerja (mode survei)",
        maksimum=100,
        allow_none=True,
    )
    bawahan = Daftar(
        Objek(AspekPerilakuPermenPANRB8Schema, "Penilaian satu bawahan"),
        "Penilaian bawahan (mode survei)",
        maksimum=100,
        allow_none=True,
    )

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _kelompok(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        mode = data.get("mode")
        if mode is None or not isinstance(original, Mapping):
            return
        errors = Kesalahan()
        for group in KELOMPOK_SURVEI:
            raters = original.get(group)
            if mode == "atasan" and raters:
                errors.tambah(group, "hanya diisi bila mode survei")
            elif mode == "survei" and not raters and policy.SURVEI_KELOMPOK_KOSONG_DITOLAK:
                errors.tambah(
                    group,
                    "survei tertutup memerlukan minimal satu penilai pada setiap kelompok "
                    "(atasan, rekan kerja, bawahan)",
                )
        errors.raise_if_any()
