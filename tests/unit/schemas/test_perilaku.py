"""Perilaku kerja per regime: kepemimpinan for jabatan struktural only; the 8/2021 survey groups."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.schemas.support import errors, example, load

WAJIB = "wajib diisi untuk jabatan struktural (JPT, administrator, pengawas)"
SAJA = "hanya dinilai untuk jabatan struktural (JPT, administrator, pengawas)"


@pytest.mark.parametrize("jenis", ["pelaksana", "fungsional"])
def test_pp46_kepemimpinan_refused_for_non_struktural(jenis: str) -> None:
    payload = example("pp46_2011_evaluasi")  # a pengawas rated on kepemimpinan
    payload["pegawai"]["jenis_jabatan"] = jenis
    assert errors(payload) == {"perilaku_kerja.kepemimpinan": [SAJA]}


@pytest.mark.parametrize("jenis", ["jpt", "administrator", "pengawas"])
def test_pp46_kepemimpinan_required_for_struktural(jenis: str) -> None:
    payload = example("pp46_2011_dokumen_penilaian")  # a pelaksana without kepemimpinan
    payload["pegawai"]["jenis_jabatan"] = jenis
    assert errors(payload) == {"perilaku_kerja.kepemimpinan": [WAJIB]}
    payload["perilaku_kerja"]["kepemimpinan"] = 80
    assert load(payload)["perilaku_kerja"]["kepemimpinan"] == 80


def test_pp46_missing_aspect() -> None:
    payload = example("pp46_2011_dokumen_penilaian")
    del payload["perilaku_kerja"]["disiplin"]
    assert errors(payload) == {"perilaku_kerja.disiplin": ["wajib diisi"]}


def test_8_2021_kepemimpinan_on_every_rater() -> None:
    payload = example("permenpanrb_8_2021_evaluasi_survei")  # a pengawas, every rater scores kepemimpinan
    del payload["perilaku_kerja"]["atasan"]["kepemimpinan"]
    del payload["perilaku_kerja"]["bawahan"][1]["kepemimpinan"]
    assert errors(payload) == {
        "perilaku_kerja.atasan.kepemimpinan": [WAJIB],
        "perilaku_kerja.bawahan.1.kepemimpinan": [WAJIB],
    }


def test_8_2021_kepemimpinan_refused_for_fungsional() -> None:
    payload = example("permenpanrb_8_2021_dokumen_penilaian")  # a Pranata Komputer
    payload["perilaku_kerja"]["atasan"]["kepemimpinan"] = 100
    assert errors(payload) == {"perilaku_kerja.atasan.kepemimpinan": [SAJA]}


def _survei(**groups: Any) -> dict[str, Any]:
    payload = example("permenpanrb_8_2021_evaluasi_survei")
    payload["perilaku_kerja"].update(groups)
    return payload


def test_8_2021_survei_needs_every_group() -> None:
    message = (
        "survei tertutup memerlukan minimal satu penilai pada setiap kelompok (atasan, rekan kerja, bawahan)"
    )
    payload = _survei(bawahan=[])
    assert errors(payload) == {"perilaku_kerja.bawahan": [message]}
    del payload["perilaku_kerja"]["rekan"]
    assert errors(payload) == {"perilaku_kerja.rekan": [message], "perilaku_kerja.bawahan": [message]}


def test_8_2021_atasan_mode_takes_no_survey_groups() -> None:
    payload = example("permenpanrb_8_2021_evaluasi")
    payload["perilaku_kerja"]["rekan"] = example("permenpanrb_8_2021_evaluasi_survei")["perilaku_kerja"][
        "rekan"
    ]
    assert errors(payload) == {"perilaku_kerja.rekan": ["hanya diisi bila mode survei"]}


def test_8_2021_mode_and_atasan_required() -> None:
    payload = example("permenpanrb_8_2021_evaluasi")
    payload["perilaku_kerja"] = {}
    assert errors(payload) == {
        "perilaku_kerja.mode": ["wajib diisi"],
        "perilaku_kerja.atasan": ["wajib diisi"],
    }
    payload["perilaku_kerja"] = {"mode": "360", "atasan": {}}
    found = errors(payload)
    assert found["perilaku_kerja.mode"] == ["harus salah satu dari atasan, survei"]
    assert found["perilaku_kerja.atasan.inisiatif_kerja"] == ["wajib diisi"]


def test_8_2021_rater_bad_value_inside_a_group() -> None:
    payload = _survei()
    payload["perilaku_kerja"]["rekan"][1]["kerja_sama"] = 130
    assert errors(payload) == {"perilaku_kerja.rekan.1.kerja_sama": ["harus antara 0 dan 120"]}


def test_6_2022_berakhlak_values_are_optional_texts() -> None:
    payload = example("permenpanrb_6_2022_skp")
    payload["perilaku_kerja"] = {
        "loyal": {"ekspektasi_khusus": "Menjaga rahasia jabatan.\n\tTermasuk data pribadi."}
    }
    assert load(payload)["perilaku_kerja"]["loyal"]["ekspektasi_khusus"].startswith("Menjaga")
    payload["perilaku_kerja"] = {"loyal": "setia"}
    assert errors(payload) == {"perilaku_kerja.loyal": ["harus berupa objek JSON"]}


def test_6_2022_jenis_jabatan_needs_no_kepemimpinan() -> None:
    payload = example("permenpanrb_6_2022_skp_jpt")
    assert load(payload)["pegawai"]["jenis_jabatan"] == "jpt"
