"""``skp`` and ``perilaku_kerja`` under PermenPANRB 6/2022 (api.md "Regime-specific skp", rules.md §4)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from marshmallow import fields, validates_schema

from service.schemas.base import BaseSchema, Kesalahan, daftar, diisi, objek
from service.schemas.fields import Angka, Daftar, Messages, Objek, Pesan, Pilihan, Teks
from service.scoring import policy
from service.scoring.vocabulary import (
    ASPEK_LABEL,
    BERAKHLAK,
    JENIS_HASIL_KERJA,
    PERIODE_PELAPORAN,
    PERSPEKTIF,
    RATING_PERMENPANRB_6_2022,
    TINGKAT_KENDALI,
)

__all__ = [
    "BERAKHLAK",
    "BerakhlakSchema",
    "HasilKerjaPermenPANRB6Schema",
    "LampiranSkpSchema",
    "ManualIkuSchema",
    "PerilakuKerjaPermenPANRB6Schema",
    "SkpPermenPANRB6Schema",
    "TargetTeks",
]

# BERAKHLAK (the 7 core values, in the order of the form) is the vocabulary's, re-exported.

_TEKS_PANJANG = 5000


class TargetTeks(Pesan, fields.String):
    """A target as shown on the form (``"85"``, ``"3 hari"``, ``"100 %"``); a JSON number becomes its text."""

    default_error_messages: Messages = {"invalid": "harus berupa teks atau angka"}  # noqa: RUF012

    def __init__(self, description: str, **kwargs: Any) -> None:
        self._teks = Teks(description, max_length=200)
        self._angka = Angka(description)
        super().__init__(metadata={"description": description, "type": ["string", "number"]}, **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str:
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            number: Decimal = self._angka.deserialize(value)
            return f"{number:f}"
        text: str = self._teks.deserialize(value)
        return text


class ManualIkuSchema(BaseSchema):
    """Manual indikator kinerja for one IKI (rules.md §4)."""

    tujuan = Teks("Tujuan IKI", max_length=2000, multiline=True, required=True)
    definisi = Teks("Definisi / deskripsi IKI", max_length=2000, multiline=True, required=True)
    formula = Teks(
        "Formula; wajib bila pendekatan kuantitatif", max_length=2000, multiline=True, allow_none=True
    )
    satuan_pengukuran = Teks("Satuan pengukuran (%, Rp, kali, orang, …)", max_length=100, allow_none=True)
    kualitas_tingkat_kendali = Pilihan("Kualitas dan tingkat kendali", TINGKAT_KENDALI, required=True)
    sumber_data = Teks("Sumber data", max_length=1000, multiline=True, required=True)
    periode_pelaporan = Pilihan("Periode pelaporan", PERIODE_PELAPORAN, required=True)


class HasilKerjaPermenPANRB6Schema(BaseSchema):
    """One rencana hasil kerja (RHK) with its IKI and target."""

    jenis = Pilihan("Hasil kerja utama atau tambahan", JENIS_HASIL_KERJA, required=True)
    rencana_hasil_kerja = Teks("Rencana hasil kerja", max_length=1000, multiline=True, required=True)
    rhk_atasan = Teks(
        "Rencana hasil kerja pimpinan yang diintervensi (JA/JF)",
        max_length=1000,
        multiline=True,
        allow_none=True,
    )
    aspek = Pilihan(
        "Aspek IKI (JA/JF kuantitatif)", ("kuantitas", "kualitas", "waktu", "biaya"), allow_none=True
    )
    iki = Teks("Indikator kinerja individu", max_length=1000, multiline=True, required=True)
    target = TargetTeks('Target sebagaimana dicetak, mis. "85" atau "3 hari"', required=True)
    perspektif = Pilihan("Perspektif (wajib untuk JPT)", PERSPEKTIF, allow_none=True)
    realisasi = Teks(
        "Realisasi; wajib untuk evaluasi dan dokumen_penilaian",
        max_length=2000,
        multiline=True,
        allow_none=True,
    )
    rating = Pilihan("Rating pejabat penilai atas RHK ini", RATING_PERMENPANRB_6_2022, allow_none=True)
    manual_iku = Objek(ManualIkuSchema, "Manual IKU; wajib untuk dokumen manual_iku", allow_none=True)


class LampiranSkpSchema(BaseSchema):
    """Lampiran SKP: what the pegawai is given, how results are accounted for, and consequences."""

    dukungan_sumber_daya = Daftar(
        Teks("Dukungan sumber daya", max_length=1000, multiline=True),
        "Dukungan sumber daya",
        maksimum=100,
        allow_none=True,
    )
    skema_pertanggungjawaban = Daftar(
        Teks("Skema pertanggungjawaban", max_length=1000, multiline=True),
        "Skema pertanggungjawaban",
        maksimum=100,
        allow_none=True,
    )
    konsekuensi = Daftar(
        Teks("Konsekuensi", max_length=1000, multiline=True), "Konsekuensi", maksimum=100, allow_none=True
    )


class SkpPermenPANRB6Schema(BaseSchema):
    """Sasaran Kinerja Pegawai under PermenPANRB 6/2022."""

    pendekatan = Pilihan("Pendekatan hasil kerja", ("kuantitatif", "kualitatif"), required=True)
    hasil_kerja = Daftar(
        Objek(HasilKerjaPermenPANRB6Schema, "Rencana hasil kerja"), "Hasil kerja", minimum=1, required=True
    )
    lampiran = Objek(LampiranSkpSchema, "Lampiran SKP", allow_none=True)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _manual_iku_dan_rating(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        rows = [objek(row) for row in daftar(objek(original).get("hasil_kerja"))]
        errors = Kesalahan()
        if data.get("pendekatan") == "kuantitatif":
            for index, row in enumerate(rows):
                manual = row.get("manual_iku")
                if isinstance(manual, Mapping) and not diisi(manual, "formula"):
                    errors.tambah(
                        f"hasil_kerja.{index}.manual_iku.formula", "wajib diisi bila pendekatan kuantitatif"
                    )
        rated = [diisi(row, "rating") for row in rows]
        if any(rated) and not all(rated) and policy.SARAN_RATING_PERLU_SEMUA_RHK:
            for index, done in enumerate(rated):
                if not done:
                    errors.tambah(
                        f"hasil_kerja.{index}.rating", "wajib diisi bila rating diisi pada hasil kerja lain"
                    )
        errors.raise_if_any()


class BerakhlakSchema(BaseSchema):
    """One BerAKHLAK core value: the pimpinan's specific expectation and how it was met."""

    ekspektasi_khusus = Teks(
        "Ekspektasi khusus pimpinan", max_length=_TEKS_PANJANG, multiline=True, allow_none=True
    )
    realisasi = Teks("Realisasi / bukti perilaku", max_length=_TEKS_PANJANG, multiline=True, allow_none=True)
    umpan_balik = Teks("Umpan balik pimpinan", max_length=_TEKS_PANJANG, multiline=True, allow_none=True)


def _nilai(aspek: str) -> Objek:
    return Objek(BerakhlakSchema, f"Perilaku {ASPEK_LABEL[aspek]}", allow_none=True)


class PerilakuKerjaPermenPANRB6Schema(BaseSchema):
    """Perilaku kerja: the 7 BerAKHLAK values (:data:`~service.scoring.vocabulary.BERAKHLAK`), optional."""

    berorientasi_pelayanan = _nilai("berorientasi_pelayanan")
    akuntabel = _nilai("akuntabel")
    kompeten = _nilai("kompeten")
    harmonis = _nilai("harmonis")
    loyal = _nilai("loyal")
    adaptif = _nilai("adaptif")
    kolaboratif = _nilai("kolaboratif")
