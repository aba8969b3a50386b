"""Text fields: bounded, never blank when required, no control characters (newline and tab in free text)."""

from __future__ import annotations

import pytest

from tests.unit.schemas.support import errors, example, load


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\r", "\ud800", "\u202e"])
def test_control_characters_are_refused(char: str) -> None:
    payload = example("permenpanrb_6_2022_evaluasi_tahunan")
    payload["pegawai"]["nama"] = f"Fajar{char}Santoso"
    payload["evaluasi"]["umpan_balik"] = f"Baik{char}sekali"
    found = errors(payload)
    assert set(found) == {"pegawai.nama", "evaluasi.umpan_balik"}
    assert found["pegawai.nama"][0].startswith("memuat karakter kendali yang tidak diizinkan (U+")
    assert f"U+{ord(char):04X}" in found["evaluasi.umpan_balik"][0]


def test_newline_and_tab_only_in_free_text() -> None:
    payload = example("permenpanrb_6_2022_evaluasi_tahunan")
    payload["evaluasi"]["umpan_balik"] = "Poin 1:\n\t- tingkatkan kualitas data\n\t- percepat laporan"
    assert "\n\t" in load(payload)["evaluasi"]["umpan_balik"]
    payload["pegawai"]["nama"] = "Fajar\nSantoso"
    payload["pegawai"]["jabatan"] = "Analis\tKebijakan"
    assert errors(payload) == {
        "pegawai.nama": ["tidak boleh memuat baris baru atau tab"],
        "pegawai.jabatan": ["tidak boleh memuat baris baru atau tab"],
    }


def test_markup_and_template_syntax_are_plain_text() -> None:
    payload = example("permenpanrb_8_2021_dokumen_penilaian")
    nama = "Budi {{7*7}} ${7*7} <script>alert(1)</script>' OR 1=1 --"
    payload["pegawai"]["nama"] = nama
    payload["instansi"] = "{{ config.SECRET_KEY }} {% print(7*7) %}"
    loaded = load(payload)
    assert loaded["pegawai"]["nama"] == nama
    assert loaded["instansi"] == payload["instansi"]


def test_length_limits() -> None:
    payload = example("pp46_2011_skp")
    payload["pegawai"]["nama"] = "A" * 201
    payload["skp"]["kegiatan"][0]["uraian"] = "u" * 1001
    payload["skp"]["kegiatan"][0]["target"]["output"] = "o" * 101
    assert errors(payload) == {
        "pegawai.nama": ["paling banyak 200 karakter"],
        "skp.kegiatan.0.uraian": ["paling banyak 1000 karakter"],
        "skp.kegiatan.0.target.output": ["paling banyak 100 karakter"],
    }
    payload = example("pp46_2011_skp")
    payload["pegawai"]["nama"] = "A" * 200
    assert load(payload)["pegawai"]["nama"] == "A" * 200


def test_required_text_must_not_be_blank_or_another_type() -> None:
    payload = example("pp46_2011_skp")
    payload["instansi"] = " \t "
    payload["skp"]["kegiatan"][1]["uraian"] = 17
    payload["skp"]["tugas_tambahan"] = ["Panitia", ["x"]]
    assert errors(payload) == {
        "instansi": ["wajib diisi"],
        "skp.kegiatan.1.uraian": ["harus berupa teks"],
        "skp.tugas_tambahan.1": ["harus berupa teks"],
    }


def test_indonesian_letters_and_punctuation_are_fine() -> None:
    payload = example("pp46_2011_skp")
    payload["pegawai"]["nama"] = "Dr. Ir. R.A. Sri Wahyuningsih-Ängström, M.M., M.Sc. (Ketua)"
    payload["skp"]["kegiatan"][0]["uraian"] = "Menyusun laporan — 100 % tepat waktu; “rekap” ≤ 5 hari"
    assert load(payload)["pegawai"]["nama"].startswith("Dr. Ir.")
