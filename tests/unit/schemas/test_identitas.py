"""NIP, golongan/ruang and pangkat (rules.md §5): the tables, the checks and their field paths."""

from __future__ import annotations

from datetime import date

import pytest

from service.scoring.identitas import (
    GOLONGAN_PNS,
    GOLONGAN_PPPK,
    PANGKAT,
    NipError,
    jenis_golongan,
    pangkat_untuk,
    periksa_golongan,
    periksa_nip,
    periksa_pangkat,
    uraikan_nip,
)
from tests.unit.schemas.support import errors, example, load


def test_pangkat_table_is_complete_and_exact() -> None:
    assert len(PANGKAT) == 17
    assert GOLONGAN_PNS[0] == "I/a"
    assert GOLONGAN_PNS[-1] == "IV/e"
    assert PANGKAT == {
        "I/a": "Juru Muda",
        "I/b": "Juru Muda Tingkat I",
        "I/c": "Juru",
        "I/d": "Juru Tingkat I",
        "II/a": "Pengatur Muda",
        "II/b": "Pengatur Muda Tingkat I",
        "II/c": "Pengatur",
        "II/d": "Pengatur Tingkat I",
        "III/a": "Penata Muda",
        "III/b": "Penata Muda Tingkat I",
        "III/c": "Penata",
        "III/d": "Penata Tingkat I",
        "IV/a": "Pembina",
        "IV/b": "Pembina Tingkat I",
        "IV/c": "Pembina Utama Muda",
        "IV/d": "Pembina Utama Madya",
        "IV/e": "Pembina Utama",
    }
    assert pangkat_untuk("IV/b") == "Pembina Tingkat I"
    assert pangkat_untuk("IX") is None


def test_pppk_golongan_are_i_to_xvii_without_pangkat() -> None:
    assert len(GOLONGAN_PPPK) == 17
    assert GOLONGAN_PPPK[0] == "I"
    assert GOLONGAN_PPPK[8] == "IX"
    assert GOLONGAN_PPPK[-1] == "XVII"
    assert jenis_golongan("XVII") == "pppk"
    assert jenis_golongan("III/a") == "pns"
    assert periksa_pangkat("IX", "Penata") == ["PPPK tidak memiliki pangkat; kosongkan pangkat"]


@pytest.mark.parametrize("bad", ["III/A", "iii/a", "III a", "IIIa", "IV/f", "V/a", "XVIII", "0", "", 3])
def test_unknown_golongan(bad: object) -> None:
    assert periksa_golongan(bad) == [
        "golongan harus berupa golongan/ruang PNS (I/a … IV/e) atau golongan PPPK (I … XVII)"
    ]
    assert jenis_golongan(bad) is None


@pytest.mark.parametrize(
    "pangkat",
    [
        "Penata Muda Tingkat I",
        "penata muda tingkat i",
        "Penata Muda Tk. I",
        "Penata  Muda Tk.I",
        " Penata Muda Tk I ",
    ],
)
def test_pangkat_spelling_variants_match(pangkat: str) -> None:
    assert periksa_pangkat("III/b", pangkat) == []


@pytest.mark.parametrize("pangkat", ["Penata Muda", "Penata Muda Tingkat II", "Penata Tingkat I"])
def test_pangkat_mismatch_names_the_right_one(pangkat: str) -> None:
    assert periksa_pangkat("III/b", pangkat) == [
        "tidak sesuai dengan golongan III/b; seharusnya Penata Muda Tingkat I"
    ]


def test_a_good_nip_is_parsed() -> None:
    nip = uraikan_nip("198704122010122003")
    assert nip.tanggal_lahir == date(1987, 4, 12)
    assert (nip.tahun_pengangkatan, nip.bulan_pengangkatan) == (2010, 12)
    assert nip.jenis_kelamin == "wanita"
    assert nip.nomor_urut == 3
    assert periksa_nip("198704122010122003") == []


def test_ni_pppk_has_21_where_the_month_is() -> None:
    assert periksa_nip("199206152023212004", pppk=True) == []
    assert uraikan_nip("199206152023212004", pppk=True).bulan_pengangkatan is None
    assert periksa_nip("199206152023212004", pppk=None) == []
    assert periksa_nip("199206152023212004") == [
        "TMT CPNS pada NIP (angka 9–14, YYYYMM) bukan bulan yang sah"
    ]
    assert periksa_nip("199206152023052004", pppk=True) == ["angka 13–14 NI PPPK harus 21"]


@pytest.mark.parametrize(
    ("nip", "message"),
    [
        ("12345", "NIP harus terdiri atas 18 angka"),
        ("1987041220101220031", "NIP harus terdiri atas 18 angka"),
        ("19870412201012200A", "NIP harus terdiri atas 18 angka"),
        ("١٩٨٧٠٤١٢٢٠١٠١٢٢٠٠٣", "NIP harus terdiri atas 18 angka"),  # non-ASCII digits
        (198704122010122003, "NIP harus terdiri atas 18 angka"),
        ("198702302010122003", "tanggal lahir pada NIP (angka 1–8, YYYYMMDD) bukan tanggal yang sah"),
        ("187704122010122003", "tanggal lahir pada NIP (angka 1–8, YYYYMMDD) bukan tanggal yang sah"),
        ("198704122010132003", "TMT CPNS pada NIP (angka 9–14, YYYYMM) bukan bulan yang sah"),
        ("198704122010002003", "TMT CPNS pada NIP (angka 9–14, YYYYMM) bukan bulan yang sah"),
        ("198704121986122003", "TMT pengangkatan pada NIP tidak boleh sebelum tanggal lahir"),
        ("198704122010123003", "kode jenis kelamin pada NIP (angka 15) harus 1 (pria) atau 2 (wanita)"),
        ("198704122010122000", "nomor urut pada NIP (angka 16–18) tidak boleh 000"),
    ],
)
def test_bad_nip(nip: object, message: str) -> None:
    assert periksa_nip(nip) == [message]


def test_every_problem_of_a_nip_is_listed_and_uraikan_raises() -> None:
    messages = periksa_nip("198713402010133000")
    assert len(messages) == 4
    with pytest.raises(NipError) as caught:
        uraikan_nip("198713402010133000")
    assert caught.value.messages == messages


# --- through the schema ---------------------------------------------------------------------------


def test_identity_errors_land_on_their_fields() -> None:
    payload = example("permenpanrb_8_2021_dokumen_penilaian")
    payload["pegawai"]["nip"] = "198912052015131002"
    payload["pejabat_penilai"]["golongan"] = "III/e"
    payload["atasan_pejabat_penilai"]["pangkat"] = "Pembina Utama"
    payload["atasan_pejabat_penilai"]["jenis_jabatan"] = "eselon_iii"
    assert errors(payload) == {
        "pegawai.nip": ["TMT CPNS pada NIP (angka 9–14, YYYYMM) bukan bulan yang sah"],
        "pejabat_penilai.golongan": [
            "golongan harus berupa golongan/ruang PNS (I/a … IV/e) atau golongan PPPK (I … XVII)"
        ],
        "atasan_pejabat_penilai.pangkat": ["tidak sesuai dengan golongan IV/a; seharusnya Pembina"],
        "atasan_pejabat_penilai.jenis_jabatan": [
            "harus salah satu dari jpt, administrator, pengawas, pelaksana, fungsional, pejabat_negara"
        ],
    }


def test_identity_required_fields() -> None:
    payload = example("permenpanrb_6_2022_skp")
    payload["pegawai"] = {"nama": "  ", "pangkat": "Penata"}
    assert errors(payload) == {
        "pegawai.nama": ["wajib diisi"],
        "pegawai.nip": ["wajib diisi"],
        "pegawai.golongan": ["wajib diisi"],
        "pegawai.jabatan": ["wajib diisi"],
        "pegawai.jenis_jabatan": ["wajib diisi"],
        "pegawai.unit_kerja": ["wajib diisi"],
    }


def test_pangkat_is_optional_and_kept_absent() -> None:
    payload = example("permenpanrb_6_2022_skp")
    del payload["pegawai"]["pangkat"]
    assert "pangkat" not in load(payload)["pegawai"]


def test_pppk_pegawai_under_6_2022_only() -> None:
    payload = example("permenpanrb_6_2022_evaluasi")
    assert load(payload)["pegawai"]["golongan"] == "IX"
    payload["pegawai"]["pangkat"] = "Penata"
    assert errors(payload) == {"pegawai.pangkat": ["PPPK tidak memiliki pangkat; kosongkan pangkat"]}

    p8 = example("permenpanrb_8_2021_dokumen_penilaian")
    p8["pegawai"].update(golongan="IX", nip="199206152019212004")
    del p8["pegawai"]["pangkat"]
    assert errors(p8) == {
        "pegawai.golongan": ["golongan PPPK hanya dikenal pada regime permenpanrb_6_2022"],
    }


def test_pns_nip_with_pppk_golongan_is_refused() -> None:
    payload = example("permenpanrb_6_2022_evaluasi")
    payload["pegawai"]["nip"] = "199206152023052004"
    assert errors(payload) == {"pegawai.nip": ["angka 13–14 NI PPPK harus 21"]}


def test_nobody_assesses_themselves() -> None:
    payload = example("permenpanrb_6_2022_dokumen_penilaian")
    payload["pejabat_penilai"]["nip"] = payload["pegawai"]["nip"]
    payload["atasan_pejabat_penilai"]["nip"] = payload["pegawai"]["nip"]
    assert errors(payload) == {
        "pejabat_penilai.nip": ["tidak boleh sama dengan NIP pegawai"],
        "atasan_pejabat_penilai.nip": ["tidak boleh sama dengan NIP pegawai"],
    }


def test_email_is_checked() -> None:
    payload = example("permenpanrb_6_2022_skp")
    payload["pegawai"]["email"] = "bukan-email"
    assert errors(payload) == {"pegawai.email": ["harus berupa alamat email yang sah"]}


def test_a_nip_of_the_wrong_length_gets_the_nip_message() -> None:
    payload = example("permenpanrb_6_2022_skp")
    payload["pegawai"]["nip"] = "1986081720110110041"
    payload["pejabat_penilai"]["nip"] = "1975 1030 2002 12 2 003"
    assert errors(payload) == {
        "pegawai.nip": ["NIP harus terdiri atas 18 angka"],
        "pejabat_penilai.nip": ["NIP harus terdiri atas 18 angka"],
    }


# --- political officials as penilai (api.md "Documents", forms.md A1, B1) ---------------------------

BUPATI = {
    "nama": "Drs. H. Achmad Husein",
    "jabatan": "Bupati Banyumas",
    "jenis_jabatan": "pejabat_negara",
    "unit_kerja": "Pemerintah Kabupaten Banyumas",
}


@pytest.mark.parametrize("example_name", ["permenpanrb_6_2022_skp_jpt", "permenpanrb_8_2021_skp_jpt"])
def test_a_jpt_may_be_assessed_by_a_political_official_without_nip_pangkat_golongan(
    example_name: str,
) -> None:
    payload = example(example_name)
    payload["pejabat_penilai"] = dict(BUPATI, nik="3302010101650001")
    assert load(payload)["pejabat_penilai"] == dict(BUPATI, nik="3302010101650001")
    payload["atasan_pejabat_penilai"] = dict(BUPATI, nama="Ganjar Pranowo", jabatan="Gubernur Jawa Tengah")
    assert load(payload)["atasan_pejabat_penilai"]["jenis_jabatan"] == "pejabat_negara"


def test_a_political_official_only_assesses_a_jpt_and_not_under_pp46() -> None:
    payload = example("permenpanrb_6_2022_skp")  # the pegawai is fungsional
    payload["pejabat_penilai"] = dict(BUPATI)
    assert errors(payload) == {
        "pejabat_penilai.jenis_jabatan": [
            "pejabat_negara hanya untuk penilai JPT pada permenpanrb_8_2021 dan permenpanrb_6_2022"
        ]
    }
    p46 = example("pp46_2011_skp")
    p46["pegawai"]["jenis_jabatan"] = "jpt"
    p46["pejabat_penilai"] = dict(BUPATI)
    assert set(errors(p46)) == {"pejabat_penilai.jenis_jabatan"}


def test_the_pegawai_is_never_a_political_official() -> None:
    payload = example("permenpanrb_6_2022_skp_jpt")
    payload["pegawai"]["jenis_jabatan"] = "pejabat_negara"
    assert errors(payload)["pegawai.jenis_jabatan"] == [
        "harus salah satu dari jpt, administrator, pengawas, pelaksana, fungsional"
    ]


def test_other_penilai_still_need_nip_and_golongan() -> None:
    payload = example("permenpanrb_6_2022_skp_jpt")
    for key in ("nip", "golongan", "pangkat"):
        del payload["pejabat_penilai"][key]
    payload["atasan_pejabat_penilai"] = dict(payload["pejabat_penilai"], nip="  ")
    assert errors(payload) == {
        "pejabat_penilai.nip": ["wajib diisi"],
        "pejabat_penilai.golongan": ["wajib diisi"],
        "atasan_pejabat_penilai.nip": ["wajib diisi"],
        "atasan_pejabat_penilai.golongan": ["wajib diisi"],
    }


@pytest.mark.parametrize("nik", ["330201010165000", "33020101016500012", "3302 0101 0165 0001"])
def test_a_nik_is_16_digits(nik: str) -> None:
    payload = example("permenpanrb_6_2022_skp_jpt")
    payload["pejabat_penilai"] = dict(BUPATI, nik=nik)
    found = errors(payload)
    assert list(found) == ["pejabat_penilai.nik"]
