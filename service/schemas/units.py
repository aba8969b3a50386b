"""Body of ``POST /api/v1/units/check`` (api.md "Scoring")."""

from __future__ import annotations

from typing import Any

from marshmallow import validates_schema

from service.schemas.base import BaseSchema, Kesalahan
from service.schemas.fields import Angka, Daftar, Objek, Pilihan, Teks
from service.scoring.identitas import periksa_nip
from service.scoring.vocabulary import CAPAIAN_ORGANISASI, PERMENPANRB_6_2022, PREDIKAT, REGIME_IDS

__all__ = ["PegawaiUnitSchema", "UnitCheckSchema"]


class PegawaiUnitSchema(BaseSchema):
    """One pegawai of the unit with the predikat (and, except under 6/2022, the nilai) of the period."""

    nip = Teks("NIP atau NI PPPK (18 angka)", max_length=40, required=True)
    predikat = Teks("Predikat (id) dari regime yang diperiksa", max_length=40, required=True)
    nilai = Angka("Nilai kinerja (pp46_2011, permenpanrb_8_2021) untuk pemeringkatan", allow_none=True)

    @validates_schema(skip_on_field_errors=False)
    def _nip(self, data: dict[str, Any], **_: Any) -> None:
        errors = Kesalahan()
        for message in periksa_nip(data.get("nip"), pppk=None) if "nip" in data else []:
            errors.tambah("nip", message)
        errors.raise_if_any()


class UnitCheckSchema(BaseSchema):
    """A unit kerja's predikat to check against the distribution rules of its regime and to rank."""

    regime = Pilihan("Regime", REGIME_IDS, required=True)
    capaian_organisasi = Pilihan(
        "Capaian kinerja organisasi (permenpanrb_6_2022)", CAPAIAN_ORGANISASI, allow_none=True
    )
    pegawai = Daftar(Objek(PegawaiUnitSchema, "Pegawai"), "Pegawai unit kerja", minimum=1, required=True)

    @validates_schema(skip_on_field_errors=False)
    def _per_regime(self, data: dict[str, Any], **_: Any) -> None:
        regime = data.get("regime")
        errors = Kesalahan()
        if regime is not None and regime != PERMENPANRB_6_2022 and data.get("capaian_organisasi") is not None:
            errors.tambah("capaian_organisasi", "hanya untuk regime permenpanrb_6_2022")
        seen: set[str] = set()
        for index, row in enumerate(data.get("pegawai") or []):
            if regime is not None:
                if row.get("predikat") is not None and row["predikat"] not in PREDIKAT[regime]:
                    errors.tambah(
                        f"pegawai.{index}.predikat", "harus salah satu dari " + ", ".join(PREDIKAT[regime])
                    )
                if regime == PERMENPANRB_6_2022 and row.get("nilai") is not None:
                    errors.tambah(f"pegawai.{index}.nilai", "tidak digunakan pada regime permenpanrb_6_2022")
            nip = row.get("nip")
            if nip in seen:
                errors.tambah(f"pegawai.{index}.nip", "NIP ganda dalam satu unit")
            elif nip is not None:
                seen.add(nip)
        errors.raise_if_any()
