"""The unit and coaching payloads: each validated by the schema of its type, with the same error
rules as the per-person forms (every problem at once, the exact path, Indonesian), and the hasil
scoring computes for the two unit documents.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from service.schemas.dokumen_lain import MAKS_PEGAWAI_UNIT, SCHEMAS
from service.scoring import score_payload
from service.scoring.permenpanrb_8_2021 import predikat_sesuai_nilai
from service.scoring.vocabulary import COACHING_TYPES, UNIT_TYPES
from tests.unit.schemas.support import errors, example, load

PENETAPAN = "permenpanrb_6_2022_penetapan_predikat"
PERINGKAT = "permenpanrb_8_2021_peringkat"
BIMBINGAN = "permenpanrb_6_2022_catatan_bimbingan"
UMPAN_BALIK = "permenpanrb_6_2022_umpan_balik_bimbingan"
KONSELING = "permenpanrb_6_2022_konseling"


def test_every_new_type_has_its_schema() -> None:
    assert set(SCHEMAS) == {*UNIT_TYPES, *COACHING_TYPES}


@pytest.mark.parametrize(
    ("name", "periode", "message"),
    [
        (
            PENETAPAN,
            ("2021-07-01", "2021-12-31", "semester_ii"),
            "penetapan_predikat hanya untuk regime permenpanrb_6_2022",
        ),
        (
            PERINGKAT,
            ("2024-01-01", "2024-12-31", "tahunan"),
            "peringkat hanya untuk regime permenpanrb_8_2021",
        ),
        (
            UMPAN_BALIK,
            ("2021-07-01", "2021-09-30", "triwulan_iii"),
            "umpan_balik_bimbingan hanya untuk regime permenpanrb_6_2022",
        ),
        (
            KONSELING,
            ("2020-01-01", "2020-03-31", "triwulan_i"),
            "konseling hanya untuk regime permenpanrb_8_2021 dan permenpanrb_6_2022",
        ),
    ],
)
def test_each_type_only_under_the_regimes_that_have_its_form(
    name: str, periode: tuple[str, str, str], message: str
) -> None:
    payload = example(name)
    payload.pop("regime")
    payload["periode"] = dict(zip(("mulai", "selesai", "jenis"), periode, strict=True))
    assert errors(payload)["type"] == [message]


def test_a_given_regime_must_still_fit_the_period() -> None:
    payload = example(KONSELING)  # its pegawai is a PNS
    payload["regime"] = "permenpanrb_8_2021"
    assert "regime" in errors(payload)
    payload["regime_override"] = True
    assert load(payload)["regime"] == "permenpanrb_8_2021"  # konseling exists under 8/2021 too


def test_penetapan_reports_every_bad_row_and_the_unit_rules_at_once() -> None:
    payload = example(PENETAPAN)
    rows = payload["daftar_pegawai"]
    rows[1]["rating_hasil_kerja"] = "luar_biasa"
    rows[2]["nip"] = rows[0]["nip"]
    rows[3]["nip"] = payload["pimpinan_yang_berwenang"]["nip"]
    del rows[4]["rating_perilaku_kerja"]
    rows[5]["golongan"] = "III/z"
    payload["capaian_organisasi"] = "hebat"
    del payload["dasar_capaian"]
    payload["pegawai"] = {"nama": "x"}
    got = errors(payload)
    assert got == {
        "daftar_pegawai.1.rating_hasil_kerja": [
            "harus salah satu dari di_atas_ekspektasi, sesuai_ekspektasi, di_bawah_ekspektasi"
        ],
        "daftar_pegawai.2.nip": ["NIP ganda dalam satu unit"],
        "daftar_pegawai.3.nip": ["sama dengan NIP pimpinan yang berwenang, yang tidak ditetapkan di sini"],
        "daftar_pegawai.4.rating_perilaku_kerja": ["wajib diisi"],
        "daftar_pegawai.5.golongan": [
            "golongan harus berupa golongan/ruang PNS (I/a … IV/e) atau golongan PPPK (I … XVII)"
        ],
        "capaian_organisasi": [
            "harus salah satu dari istimewa, baik, butuh_perbaikan, kurang, sangat_kurang"
        ],
        "dasar_capaian": ["wajib diisi"],
        "pegawai": ["bidang tidak dikenal"],
    }


def test_a_unit_list_is_bounded() -> None:
    payload = example(PENETAPAN)
    payload["daftar_pegawai"] = []
    assert errors(payload) == {"daftar_pegawai": ["minimal satu baris"]}
    payload["daftar_pegawai"] = [example(PENETAPAN)["daftar_pegawai"][0]] * (MAKS_PEGAWAI_UNIT + 1)
    assert errors(payload) == {"daftar_pegawai": [f"paling banyak {MAKS_PEGAWAI_UNIT} baris"]}


def test_penetapan_hasil_is_the_kuadran_of_each_pegawai_and_the_pola_of_the_capaian() -> None:
    payload = load(example(PENETAPAN))
    hasil = score_payload(payload)
    assert hasil["capaian_organisasi_label"] == "Baik"
    assert hasil["jumlah_pegawai"] == 12
    # di atas × di atas → Sangat Baik; di bawah × sesuai → Butuh Perbaikan;
    # sesuai × di bawah → Kurang/Misconduct.
    assert [p["predikat"] for p in hasil["pegawai"]][:1] == ["sangat_baik"]
    assert hasil["pegawai"][7]["predikat"] == "butuh_perbaikan"
    assert hasil["pegawai"][8]["predikat"] == "kurang_misconduct"
    assert {k: v["jumlah"] for k, v in hasil["distribusi"].items()} == {
        "sangat_baik": 1,
        "baik": 9,
        "butuh_perbaikan": 1,
        "kurang_misconduct": 1,
        "sangat_kurang": 0,
    }
    assert hasil["distribusi"]["baik"]["persen"] == Decimal("75.00")
    # Pola "baik": Baik > 50 % holds, Baik ≤ 70 % does not (75 %), some BP/K holds.
    assert [(r["aturan"].rsplit(".", 1)[1], r["terpenuhi"]) for r in hasil["pola_distribusi"]] == [
        ("baik_mayoritas", True),
        ("baik_maks", False),
        ("ada_butuh_perbaikan_atau_kurang", True),
    ]
    assert [w["aturan"] for w in hasil["warnings"]] == ["pola_distribusi.baik.baik_maks"]
    assert "75 % (9 dari 12 pegawai)" in hasil["warnings"][0]["pesan"]


def test_peringkat_ranks_by_nilai_then_predikat_and_shares_ties() -> None:
    hasil = score_payload(load(example(PERINGKAT)))
    ranks = [(r["peringkat"], r["nilai"]) for r in hasil["peringkat"]]
    assert ranks[0] == (1, Decimal("112.50"))
    nilai = [r["nilai"] for r in hasil["peringkat"]]
    assert nilai == sorted(nilai, reverse=True)
    tied = [r["peringkat"] for r in hasil["peringkat"] if r["nilai"] == Decimal("96.10")]
    assert len(tied) == 2
    assert tied[0] == tied[1]
    assert hasil["jumlah_pegawai"] == 12


@pytest.mark.parametrize(
    ("nilai", "predikat", "fits"),
    [
        ("112.50", "sangat_baik", True),
        ("112.50", "baik", True),  # without the ide baru a ranking list does not carry
        ("104.20", "sangat_baik", False),
        ("89.99", "baik", False),
        ("89.99", "cukup", True),
        ("49", "sangat_kurang", True),
    ],
)
def test_a_ranked_predikat_must_fit_its_nilai(nilai: str, predikat: str, fits: bool) -> None:
    assert (predikat_sesuai_nilai(Decimal(nilai), predikat) is None) is fits


def test_peringkat_rows_and_the_year_end() -> None:
    payload = example(PERINGKAT)
    rows = payload["daftar_pegawai"]
    rows[0]["predikat"] = "cukup"
    rows[1]["golongan"] = "IX"
    rows[2]["nilai_kinerja"] = Decimal(121)
    del rows[3]["golongan"]
    payload["periode"] = {"mulai": "2021-07-01", "selesai": "2021-09-30", "jenis": "triwulan_iii"}
    assert errors(payload) == {
        "daftar_pegawai.0.predikat": [
            "tidak sesuai dengan nilai kinerja 112,50 (predikatnya Sangat Baik atau Baik)"
        ],
        "daftar_pegawai.1.golongan": ["golongan PPPK hanya dikenal pada regime permenpanrb_6_2022"],
        "daftar_pegawai.1.nip": ["angka 13–14 NI PPPK harus 21"],
        "daftar_pegawai.2.nilai_kinerja": ["harus antara 0 dan 120"],
        "daftar_pegawai.3.golongan": ["wajib diisi"],
        "periode.selesai": ["pemeringkatan kinerja tahunan: periode berakhir 31 Desember"],
        "periode.jenis": ["pemeringkatan kinerja tahunan: tahunan (atau semester_ii pada 2021)"],
    }
    december = example(PERINGKAT)
    december["periode"] = {"mulai": "2021-12-01", "selesai": "2021-12-31", "jenis": "bulanan"}
    assert errors(december) == {
        "periode.jenis": ["pemeringkatan kinerja tahunan: tahunan (atau semester_ii pada 2021)"]
    }


def test_catatan_bimbingan_rules() -> None:
    payload = example(BIMBINGAN)
    payload["bimbingan"]["batas_waktu"] = "2024-05-01"
    payload["bimbingan"]["peserta_lain"] = [{"nama": "Budi", "nip": payload["pegawai"]["nip"]}]
    payload["pejabat_penilai"]["nip"] = payload["pegawai"]["nip"]
    got = errors(payload)
    assert got == {
        "bimbingan.batas_waktu": ["tidak boleh sebelum tanggal bimbingan"],
        "bimbingan.peserta_lain": ["hanya untuk bimbingan kelompok"],
        "bimbingan.peserta_lain.0.nip": ["sama dengan NIP pegawai"],
        # The pegawai's NIP is a PPPK's (digits 13–14 are 21), the penilai's golongan a PNS's.
        "pejabat_penilai.nip": [
            "TMT CPNS pada NIP (angka 9–14, YYYYMM) bukan bulan yang sah",
            "tidak boleh sama dengan NIP pegawai",
        ],
    }
    group = example(BIMBINGAN)
    group["bimbingan"]["bentuk"] = "kelompok"
    group["bimbingan"]["peserta_lain"] = [{"nama": "Budi Santoso, S.E.", "nip": "198102022004062002"}]
    assert load(group)["bimbingan"]["peserta_lain"][0]["nama"] == "Budi Santoso, S.E."


def test_a_pppk_is_coached_under_6_2022_only() -> None:
    payload = example(BIMBINGAN)  # the pegawai is a PPPK (golongan IX)
    payload["regime"], payload["regime_override"] = "permenpanrb_8_2021", True
    assert errors(payload) == {
        "pegawai.golongan": ["golongan PPPK hanya dikenal pada regime permenpanrb_6_2022"]
    }


def test_umpan_balik_has_exactly_nine_answers_of_the_form() -> None:
    payload = example(UMPAN_BALIK)
    payload["umpan_balik"]["jawaban"] = ["ya"] * 8
    assert errors(payload) == {"umpan_balik.jawaban": ["minimal 9 baris"]}
    payload["umpan_balik"]["jawaban"] = ["ya"] * 8 + ["mungkin"]
    assert errors(payload) == {"umpan_balik.jawaban.8": ["harus salah satu dari ya, tidak"]}


def test_konseling_rules() -> None:
    payload = example(KONSELING)
    payload["konseling"]["tindak_lanjut"] = ["bimbingan", "bimbingan"]
    payload["konselor"]["kategori"] = "teman"
    payload["konselor"]["nip"] = payload["pegawai"]["nip"]
    assert errors(payload) == {
        "konseling.tindak_lanjut": ["setiap tindak lanjut paling banyak sekali"],
        "konselor.kategori": [
            "harus salah satu dari konselor_independen, pejabat_penilai_terlatih, pejabat_fungsi_konseling"
        ],
        "konselor.nip": ["tidak boleh sama dengan NIP pegawai"],
    }
    without = example(KONSELING)
    del without["pejabat_penilai"]
    assert "pejabat_penilai" not in load(without)
    empty = example(KONSELING)
    empty["konseling"]["tindak_lanjut"] = []
    assert errors(empty) == {"konseling.tindak_lanjut": ["minimal satu baris"]}


def test_what_is_recorded_happened_within_the_period_and_before_the_record() -> None:
    for name, member, key in (
        (BIMBINGAN, "bimbingan", "tanggal"),
        (UMPAN_BALIK, "umpan_balik", "tanggal_bimbingan"),
        (KONSELING, "konseling", "tanggal"),
    ):
        payload = example(name)
        payload[member][key] = "2019-05-14"
        if member == "bimbingan":
            payload["bimbingan"]["batas_waktu"] = "2019-06-14"
        assert errors(payload) == {f"{member}.{key}": ["harus di dalam periode"]}, name
        late = example(name)
        late["tanggal"] = "2024-04-02"
        assert errors(late) == {"tanggal": [f"tidak boleh sebelum {member}.{key}"]}, name


def test_a_group_bimbingan_names_its_other_participants() -> None:
    payload = example(BIMBINGAN)
    payload["bimbingan"]["bentuk"] = "kelompok"
    assert errors(payload) == {
        "bimbingan.peserta_lain": ["wajib diisi untuk bimbingan kelompok (peserta selain pegawai ini)"]
    }
    payload["bimbingan"]["peserta_lain"] = [
        {"nama": "Eko", "nip": payload["pejabat_penilai"]["nip"]},
        {"nama": "Budi Santoso, S.E.", "nip": "198102022004062002"},
        {"nama": "Budi lagi", "nip": "198102022004062002"},
    ]
    assert errors(payload) == {
        "bimbingan.peserta_lain.0.nip": ["sama dengan NIP pejabat penilai"],
        "bimbingan.peserta_lain.2.nip": ["NIP ganda"],
    }


def test_a_political_official_assesses_a_jpt_only_here_too() -> None:
    payload = example(BIMBINGAN)
    payload["pejabat_penilai"] = {
        "nama": "Drs. H. Achmad Husein",
        "nik": "3302010101650001",
        "jabatan": "Bupati Banyumas",
        "jenis_jabatan": "pejabat_negara",
        "unit_kerja": "Pemerintah Kabupaten Banyumas",
    }
    assert errors(payload) == {"pejabat_penilai.jenis_jabatan": ["pejabat_negara hanya untuk penilai JPT"]}


def test_a_trained_pejabat_penilai_as_konselor_is_that_penilai() -> None:
    payload = example(KONSELING)
    payload["konselor"]["kategori"] = "pejabat_penilai_terlatih"
    assert errors(payload) == {
        "konselor.nip": ["konselor berkategori pejabat_penilai_terlatih adalah pejabat penilai ini"]
    }
    payload["konselor"] = {**payload["pejabat_penilai"], "kategori": "pejabat_penilai_terlatih"}
    assert load(payload)["konselor"]["nip"] == payload["pejabat_penilai"]["nip"]


def test_a_unit_signer_gives_what_the_form_prints_and_nothing_it_does_not() -> None:
    payload = example(PENETAPAN)
    payload["pimpinan_yang_berwenang"]["golongan"] = "IV/c"
    del payload["pimpinan_yang_berwenang"]["jabatan"]
    assert errors(payload) == {
        "pimpinan_yang_berwenang.golongan": ["bidang tidak dikenal"],
        "pimpinan_yang_berwenang.jabatan": ["wajib diisi"],
    }
    bupati = example(PENETAPAN)
    bupati["pimpinan_yang_berwenang"] = {
        "nama": "Drs. H. Achmad Husein",
        "nik": "3302010101650001",
        "jabatan": "Bupati Banyumas",
        "jenis_jabatan": "pejabat_negara",
    }
    assert "nip" not in load(bupati)["pimpinan_yang_berwenang"]
    del bupati["pimpinan_yang_berwenang"]["nik"]
    bupati["pimpinan_yang_berwenang"]["jenis_jabatan"] = "jpt"
    assert errors(bupati) == {"pimpinan_yang_berwenang.nip": ["wajib diisi"]}


def test_a_listed_pangkat_must_be_its_golongans() -> None:
    payload = example(PERINGKAT)
    payload["daftar_pegawai"][0]["pangkat"] = "Pembina Utama"
    rows = example(PENETAPAN)
    rows["daftar_pegawai"][0]["pangkat"] = "Penata Muda"
    assert errors(payload) == {
        "daftar_pegawai.0.pangkat": ["tidak sesuai dengan golongan III/a; seharusnya Penata Muda"]
    }
    assert errors(rows) == {
        "daftar_pegawai.0.pangkat": ["hanya bersama golongan (pangkat dicetak dengan golongannya)"]
    }


def test_a_coaching_record_takes_its_unit_from_the_pegawai() -> None:
    payload = example(BIMBINGAN)
    payload["unit_kerja"] = "Dinas Komunikasi dan Informatika"
    assert errors(payload) == {"unit_kerja": ["bidang tidak dikenal"]}
