"""Validated payloads (docs/architecture.md: Decimals, keys as api.md) for the scoring tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

D = Decimal


def pegawai(jenis_jabatan: str = "pelaksana") -> dict[str, Any]:
    return {
        "nama": "Siti Rahmawati",
        "nip": "198503152010012001",
        "golongan": "III/a",
        "pangkat": "Penata Muda",
        "jabatan": "Analis",
        "jenis_jabatan": jenis_jabatan,
        "unit_kerja": "Biro Kepegawaian",
    }


def pp46(type_: str = "evaluasi", jenis_jabatan: str = "pelaksana") -> dict[str, Any]:
    """Two kegiatan without biaya, two tugas tambahan, 5 perilaku aspects (the api test's case)."""
    return {
        "type": type_,
        "regime": "pp46_2011",
        "pegawai": pegawai(jenis_jabatan),
        "skp": {
            "kegiatan": [
                {
                    "uraian": "Menyusun laporan kepegawaian bulanan",
                    "angka_kredit": D("0.5"),
                    "target": {
                        "kuantitas": D(12),
                        "output": "laporan",
                        "kualitas": D(100),
                        "waktu": D(12),
                        "satuan_waktu": "bulan",
                    },
                    "realisasi": {"kuantitas": D(12), "kualitas": D(90), "waktu": D(12)},
                },
                {
                    "uraian": "Memverifikasi usulan kenaikan pangkat",
                    "angka_kredit": D("1.25"),
                    "target": {
                        "kuantitas": D(10),
                        "output": "berkas",
                        "kualitas": D(100),
                        "waktu": D(12),
                        "satuan_waktu": "bulan",
                    },
                    "realisasi": {"kuantitas": D(8), "kualitas": D(100), "waktu": D(9)},
                },
            ],
            "tugas_tambahan": ["Panitia seleksi CPNS", "Tim penyusun SOP"],
            "kreativitas": [],
        },
        "perilaku_kerja": {
            "orientasi_pelayanan": D(80),
            "integritas": D(85),
            "komitmen": D(90),
            "disiplin": D(75),
            "kerja_sama": D(70),
        },
    }


def aspek_8_2021(op: int = 110, lain: int = 100, kepemimpinan: int | None = None) -> dict[str, Decimal]:
    out = {
        "orientasi_pelayanan": D(op),
        "komitmen": D(lain),
        "inisiatif_kerja": D(lain),
        "kerja_sama": D(lain),
    }
    if kepemimpinan is not None:
        out["kepemimpinan"] = D(kepemimpinan)
    return out


def permenpanrb_8_2021(type_: str = "evaluasi") -> dict[str, Any]:
    """Three IKIs (normal 97.9 %, kondisi khusus 110 %, range inside) and one tambahan; pengawas."""
    return {
        "type": type_,
        "regime": "permenpanrb_8_2021",
        "pegawai": pegawai("pengawas"),
        "skp": {
            "kinerja_utama": [
                {
                    "rencana_kinerja": "Layanan",
                    "iki": "Persentase layanan tepat waktu",
                    "target": D(100),
                    "realisasi": D("97.9"),
                },
                {
                    "rencana_kinerja": "Proses",
                    "iki": "Hari penyelesaian berkas",
                    "target": D(10),
                    "realisasi": D(9),
                    "kondisi_khusus": True,
                },
                {
                    "rencana_kinerja": "Laporan",
                    "iki": "Jumlah laporan",
                    "target": {"min": D(10), "max": D(20)},
                    "realisasi": D(15),
                },
            ],
            "kinerja_tambahan": [{"uraian": "Tim SOP", "kategori": "baik"}],
        },
        "perilaku_kerja": {"mode": "atasan", "atasan": aspek_8_2021(kepemimpinan=115)},
    }


def permenpanrb_6_2022(type_: str = "evaluasi") -> dict[str, Any]:
    return {
        "type": type_,
        "regime": "permenpanrb_6_2022",
        "pegawai": pegawai("fungsional"),
        "skp": {
            "pendekatan": "kuantitatif",
            "hasil_kerja": [
                {
                    "jenis": "utama",
                    "rencana_hasil_kerja": "Layanan prima",
                    "iki": "Indeks kepuasan",
                    "target": "85",
                    "rating": "di_atas_ekspektasi",
                },
                {
                    "jenis": "utama",
                    "rencana_hasil_kerja": "Proses cepat",
                    "iki": "Waktu layanan",
                    "target": "3 hari",
                    "rating": "sesuai_ekspektasi",
                },
                {
                    "jenis": "tambahan",
                    "rencana_hasil_kerja": "Pelatihan",
                    "iki": "Jumlah peserta",
                    "target": "20",
                    "rating": "di_atas_ekspektasi",
                },
            ],
            "lampiran": {"dukungan_sumber_daya": [], "skema_pertanggungjawaban": [], "konsekuensi": []},
        },
        "perilaku_kerja": {"berorientasi_pelayanan": {"ekspektasi_khusus": "Ramah"}, "akuntabel": {}},
        "evaluasi": {
            "capaian_organisasi": "baik",
            "rating_hasil_kerja": "di_atas_ekspektasi",
            "rating_perilaku_kerja": "sesuai_ekspektasi",
        },
        "angka_kredit": {"jenjang": "ahli_pertama", "bulan": D(12)},
    }
