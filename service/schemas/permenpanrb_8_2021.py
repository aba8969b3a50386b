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
    PERSPEKTIF,
)

__all__ = [
    "ASPEK_PERILAKU_8_2021",
    "AspekPerilakuPermenPANRB8Schema",
    "KinerjaTambahanPermenPANRB8Schema",
    "KinerjaUtamaPermenPANRB8Schema",
    "PerilakuKerjaPermenPANRB8Schema",
    "RentangTargetSchema",
    "SkpPermenPANRB8Schema",
    "StandarKinerjaPermenPANRB8Schema",
    "TargetIki",
]

#: Aspects every rater scores; kepemimpinan is added for jabatan struktural.
ASPEK_PERILAKU_8_2021 = tuple(name for name in ASPEK_PERMENPANRB_8_2021 if name != KEPEMIMPINAN)

_MAKS_PERILAKU = 120

#: How the SKP states its targets: model dasar (one target per IKI) or model pengembangan (the
#: standar kinerja of each IKI by level; forms.md B1, FORMAT D.2.2/D.2.3).
MODEL_SKP = ("dasar", "pengembangan")

#: Aspects of a JA/JF IKI (forms.md B1, "ASPEK").
ASPEK_IKI = ("kuantitas", "kualitas", "waktu", "biaya")

#: Fewest standar kinerja levels a model pengembangan IKI states (3, 4 or 5 levels; forms.md B1).
STANDAR_KINERJA_MINIMUM = 3


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


class StandarKinerjaPermenPANRB8Schema(BaseSchema):
    """The standar kinerja of one IKI by level (model pengembangan): 3, 4 or 5 levels, Baik = target."""

    sangat_kurang = Teks("Standar kinerja tingkat Sangat Kurang", max_length=500, allow_none=True)
    kurang = Teks("Standar kinerja tingkat Kurang", max_length=500, allow_none=True)
    cukup = Teks("Standar kinerja tingkat Cukup", max_length=500, allow_none=True)
    baik = Teks("Standar kinerja tingkat Baik (sama dengan target)", max_length=500, required=True)
    sangat_baik = Teks("Standar kinerja tingkat Sangat Baik", max_length=500, allow_none=True)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _tingkat(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        levels = [key for key in KATEGORI_PERMENPANRB_8_2021 if diisi(objek(original), key)]
        if len(levels) < STANDAR_KINERJA_MINIMUM:
            raise ValidationError(
                f"isi minimal {STANDAR_KINERJA_MINIMUM} tingkat standar kinerja (termasuk baik); "
                f"terisi {len(levels)}",
                "_schema",
            )


class KinerjaUtamaPermenPANRB8Schema(BaseSchema):
    """One indikator kinerja individu (IKI) of a rencana kinerja."""

    rencana_kinerja = Teks("Rencana kinerja", max_length=1000, required=True)
    rencana_kinerja_atasan = Teks(
        "Rencana kinerja atasan langsung/unit kerja yang diintervensi (JA/JF)",
        max_length=1000,
        allow_none=True,
    )
    aspek = Pilihan("Aspek IKI (JA/JF)", ASPEK_IKI, allow_none=True)
    perspektif = Pilihan("Perspektif (JPT)", PERSPEKTIF, allow_none=True)
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
    standar_kinerja = Objek(
        StandarKinerjaPermenPANRB8Schema,
        "Standar kinerja per tingkat (minimal 3 tingkat, termasuk baik = target); wajib pada model "
        "pengembangan dan tidak diisi pada model dasar",
        allow_none=True,
    )


class KinerjaTambahanPermenPANRB8Schema(BaseSchema):
    """A kinerja tambahan item and its rating (adds 2.4 … 0.1 points)."""

    uraian = Teks("Uraian kinerja tambahan", max_length=1000, required=True)
    kategori = Pilihan("Kategori penilaian kinerja tambahan", KATEGORI_PERMENPANRB_8_2021, required=True)


class SkpPermenPANRB8Schema(BaseSchema):
    """Sasaran Kinerja Pegawai under PermenPANRB 8/2021."""

    model = Pilihan(
        "Model SKP: dasar (satu target per IKI) atau pengembangan (standar kinerja per tingkat, "
        "JA/JF); bila tidak diisi: dasar",
        MODEL_SKP,
        allow_none=True,
    )
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
        errors = Kesalahan()
        if any(weighted):
            for index, given in enumerate(weighted):
                if not given:
                    errors.tambah(
                        f"kinerja_utama.{index}.bobot",
                        "wajib diisi bila bobot diisi pada indikator kinerja lain",
                    )
        pengembangan = data.get("model") == "pengembangan"
        for index, row in enumerate(daftar(objek(original).get("kinerja_utama"))):
            if not isinstance(row, Mapping):
                continue
            if pengembangan and not diisi(row, "standar_kinerja"):
                errors.tambah(f"kinerja_utama.{index}.standar_kinerja", "wajib diisi pada model pengembangan")
            elif not pengembangan and diisi(row, "standar_kinerja"):
                errors.tambah(
                    f"kinerja_utama.{index}.standar_kinerja",
                    'hanya diisi pada model pengembangan (skp.model = "pengembangan")',
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
