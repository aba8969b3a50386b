"""``skp`` and ``perilaku_kerja`` under PP 46/2011 (api.md "Regime-specific skp", rules.md §2)."""

from __future__ import annotations

from typing import Any

from marshmallow import validates_schema

from service.schemas.base import BaseSchema, Kesalahan, diisi, objek
from service.schemas.fields import Angka, Daftar, Objek, Pilihan, Teks
from service.scoring.policy import KREATIVITAS_NILAI
from service.scoring.vocabulary import ASPEK_PP46_2011, KEPEMIMPINAN

__all__ = [
    "ASPEK_PERILAKU_PP46",
    "KegiatanPP46Schema",
    "KreativitasPP46Schema",
    "PerilakuKerjaPP46Schema",
    "RealisasiPP46Schema",
    "SkpPP46Schema",
    "TargetPP46Schema",
]

#: Perilaku kerja aspects every pegawai is rated on; kepemimpinan is added for jabatan struktural.
ASPEK_PERILAKU_PP46 = tuple(name for name in ASPEK_PP46_2011 if name != KEPEMIMPINAN)


class TargetPP46Schema(BaseSchema):
    """Target of one kegiatan tugas jabatan; every aspect divides, so each must be above 0."""

    kuantitas = Angka("Target kuantitas (jumlah output)", minimum=0, lebih_dari=True, required=True)
    output = Teks("Satuan output, mis. laporan, dokumen, berkas", max_length=100, required=True)
    kualitas = Angka(
        "Target kualitas/mutu (0–100, biasanya 100)", minimum=0, lebih_dari=True, maksimum=100, required=True
    )
    waktu = Angka("Target waktu dalam satuan_waktu", minimum=0, lebih_dari=True, required=True)
    satuan_waktu = Pilihan("Satuan waktu target dan realisasi", ("bulan", "hari"), required=True)
    biaya = Angka(
        'Target biaya (rupiah); tidak diisi bila tanpa biaya ("-")',
        minimum=0,
        lebih_dari=True,
        allow_none=True,
    )


class RealisasiPP46Schema(BaseSchema):
    """Realisasi of one kegiatan; 0 kuantitas means the kegiatan was not carried out."""

    kuantitas = Angka("Realisasi kuantitas", minimum=0, required=True)
    kualitas = Angka("Realisasi kualitas/mutu (0–100)", minimum=0, maksimum=100, required=True)
    waktu = Angka("Realisasi waktu, dalam satuan_waktu target", minimum=0, required=True)
    biaya = Angka("Realisasi biaya (rupiah); wajib bila target biaya diisi", minimum=0, allow_none=True)


class KegiatanPP46Schema(BaseSchema):
    """One kegiatan tugas jabatan with its target and, for a penilaian, its realisasi."""

    uraian = Teks("Uraian kegiatan tugas jabatan", max_length=1000, required=True)
    angka_kredit = Angka(
        "Angka kredit kegiatan (jabatan fungsional, mis. guru); tidak dihitung ke nilai",
        minimum=0,
        allow_none=True,
    )
    target = Objek(TargetPP46Schema, "Target kuantitas, kualitas, waktu dan biaya", required=True)
    realisasi = Objek(
        RealisasiPP46Schema, "Realisasi; wajib untuk evaluasi dan dokumen_penilaian", allow_none=True
    )

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _biaya(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        target, realisasi = objek(objek(original).get("target")), objek(objek(original).get("realisasi"))
        if not target or not realisasi:
            return
        errors = Kesalahan()
        if diisi(target, "biaya") and not diisi(realisasi, "biaya"):
            errors.tambah("realisasi.biaya", "wajib diisi karena target biaya diisi")
        if not diisi(target, "biaya") and diisi(realisasi, "biaya"):
            errors.tambah("realisasi.biaya", "tidak dapat dinilai karena target biaya tidak diisi")
        errors.raise_if_any()


class KreativitasPP46Schema(BaseSchema):
    """A kreativitas item and the reach of its benefit (3, 6 or 12 points)."""

    uraian = Teks("Uraian kreativitas", max_length=1000, required=True)
    tingkat = Pilihan("Jangkauan manfaat", tuple(KREATIVITAS_NILAI), required=True)


class SkpPP46Schema(BaseSchema):
    """Sasaran Kerja Pegawai under PP 46/2011."""

    kegiatan = Daftar(
        Objek(KegiatanPP46Schema, "Kegiatan tugas jabatan"),
        "Kegiatan tugas jabatan",
        minimum=1,
        required=True,
    )
    tugas_tambahan = Daftar(
        Teks("Tugas tambahan", max_length=1000),
        "Tugas tambahan (jumlahnya dinilai)",
        maksimum=100,
        allow_none=True,
    )
    kreativitas = Daftar(
        Objek(KreativitasPP46Schema, "Kreativitas"), "Kreativitas", maksimum=100, allow_none=True
    )


class PerilakuKerjaPP46Schema(BaseSchema):
    """Perilaku kerja, each aspect 0–100; kepemimpinan exactly for jabatan struktural.

    The fields are :data:`~service.scoring.vocabulary.ASPEK_PP46_2011`, in that order.
    """

    orientasi_pelayanan = Angka("Orientasi pelayanan", minimum=0, maksimum=100, required=True)
    integritas = Angka("Integritas", minimum=0, maksimum=100, required=True)
    komitmen = Angka("Komitmen", minimum=0, maksimum=100, required=True)
    disiplin = Angka("Disiplin", minimum=0, maksimum=100, required=True)
    kerja_sama = Angka("Kerja sama", minimum=0, maksimum=100, required=True)
    kepemimpinan = Angka(
        "Kepemimpinan; wajib untuk JPT, administrator, pengawas, dan tidak diisi untuk "
        "pelaksana atau fungsional",
        minimum=0,
        maksimum=100,
        allow_none=True,
    )
