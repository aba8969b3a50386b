"""The PP 46/2011 guru angka kredit reference table (seed 002), as data with a lookup."""

from __future__ import annotations

from decimal import Decimal

import pytest

from service.scoring import pp46_2011 as pp46
from service.scoring.common import ScoringError

D = Decimal


@pytest.mark.parametrize(
    ("golongan", "ak"),
    [
        ("III/a", "10.50"),
        ("III/b", "9.50"),
        ("III/c", "20.25"),
        ("III/d", "19.50"),
        ("IV/a", "29.75"),
        ("IV/b", "29.75"),
        ("IV/c", "29.00"),
        ("IV/d", "38.75"),
    ],
)
def test_pembelajaran_per_golongan_as_in_seed_002(golongan: str, ak: str) -> None:
    assert pp46.angka_kredit_pembelajaran_guru(golongan) == D(ak)


def test_pembelajaran_unknown_golongan() -> None:
    with pytest.raises(ScoringError):
        pp46.angka_kredit_pembelajaran_guru("II/d")


@pytest.mark.parametrize(
    ("kode", "ak"),
    [
        ("diklat_fungsional_lebih_960_jam", "15"),
        ("diklat_fungsional_30_80_jam", "1"),
        ("lokakarya_perangkat_kurikulum", "0.15"),
        ("penelitian_jurnal_nasional_terakreditasi", "3"),
        ("artikel_populer_media_provinsi", "1.5"),
        ("buku_pelajaran_lolos_bsnp", "6"),
        ("modul_diktat_sekolah", "0.5"),
        ("alat_praktikum_kompleks", "4"),
        ("ijazah_tidak_sesuai_s2", "10"),
        ("membimbing_siswa", "0.17"),
        ("pengawas_ujian_nasional", "0.08"),
        ("tim_penilai_angka_kredit", "0.04"),
        ("satyalancana_20_tahun", "2"),
    ],
)
def test_supporting_activities_as_in_seed_002(kode: str, ak: str) -> None:
    row = pp46.angka_kredit_guru(kode)
    assert row.angka_kredit == D(ak)
    assert row.uraian


def test_doubtful_seed_values_are_shipped_with_a_note() -> None:
    # The seed prints teknologi tepat guna "kompleks = 1, sederhana = 2" and kepramukaan
    # "pengurus aktif = 12"; both look like typos. They are shipped as printed, flagged for the form.
    assert pp46.angka_kredit_guru("teknologi_tepat_guna_kompleks").angka_kredit == 1
    assert pp46.angka_kredit_guru("teknologi_tepat_guna_kompleks").catatan
    assert pp46.angka_kredit_guru("kepramukaan_pengurus").angka_kredit == 12
    assert pp46.angka_kredit_guru("kepramukaan_pengurus").catatan
    flagged = {k for k, row in pp46.ANGKA_KREDIT_GURU.items() if row.catatan}
    assert flagged == {"teknologi_tepat_guna_kompleks", "kepramukaan_pengurus"}


def test_table_shape() -> None:
    # seed 002 rows: diklat 6 + kolektif 4 + presentasi 2 + publikasi 11 + buku/modul 10
    # + teknologi/seni/alat/standar 12 + penunjang 16 = 61
    assert len(pp46.ANGKA_KREDIT_GURU) == 61
    assert all(row.angka_kredit > 0 for row in pp46.ANGKA_KREDIT_GURU.values())
    with pytest.raises(ScoringError):
        pp46.angka_kredit_guru("tidak_ada")
