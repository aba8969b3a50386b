"""Unknown keys are refused everywhere and named by their full path, never dropped."""

from __future__ import annotations

import pytest

from service.schemas import UnitCheckSchema
from tests.unit.schemas.support import errors, example

UNKNOWN = ["bidang tidak dikenal"]


def test_unknown_key_at_the_root() -> None:
    payload = example("pp46_2011_skp")
    payload["tipe"] = "skp"
    assert errors(payload) == {"tipe": UNKNOWN}


def test_misspelt_key_deep_in_a_list_is_named_with_its_index() -> None:
    payload = example("pp46_2011_evaluasi")
    payload["skp"]["kegiatan"][2]["target"]["waktuu"] = 12
    payload["skp"]["kegiatan"][4]["realisasi"]["kuantitas_"] = 1
    payload["skp"]["kreativitas"][0]["level"] = "instansi"
    assert errors(payload) == {
        "skp.kegiatan.2.target.waktuu": UNKNOWN,
        "skp.kegiatan.4.realisasi.kuantitas_": UNKNOWN,
        "skp.kreativitas.0.level": UNKNOWN,
    }


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("permenpanrb_8_2021_evaluasi_survei", ("perilaku_kerja", "bawahan", 2)),
        ("permenpanrb_8_2021_evaluasi", ("skp", "kinerja_tambahan", 0)),
        ("permenpanrb_6_2022_manual_iku", ("skp", "hasil_kerja", 3, "manual_iku")),
        ("permenpanrb_6_2022_skp", ("skp", "lampiran")),
        ("permenpanrb_6_2022_skp", ("perilaku_kerja", "adaptif")),
        ("permenpanrb_6_2022_evaluasi", ("evaluasi",)),
        ("permenpanrb_6_2022_evaluasi", ("angka_kredit",)),
        ("permenpanrb_6_2022_evaluasi", ("periode",)),
        ("pp46_2011_evaluasi", ("pejabat_penilai",)),
        ("pp46_2011_evaluasi", ("perilaku_kerja",)),
    ],
)
def test_unknown_key_in_every_nested_object(name: str, path: tuple[str | int, ...]) -> None:
    payload = example(name)
    node = payload
    for step in path:
        node = node[step]
    node["catatan_tambahan"] = "x"
    assert errors(payload) == {".".join(map(str, (*path, "catatan_tambahan"))): UNKNOWN}


def test_a_6_2022_value_outside_the_seven_berakhlak_is_unknown() -> None:
    payload = example("permenpanrb_6_2022_skp")
    payload["perilaku_kerja"]["inovatif"] = {}
    assert errors(payload) == {"perilaku_kerja.inovatif": UNKNOWN}


def test_unknown_key_in_unit_check() -> None:
    body = {
        "regime": "pp46_2011",
        "pegawai": [{"nip": "198704122010122003", "predikat": "baik", "nama": "X"}],
        "unit": "x",
    }
    assert errors(body, UnitCheckSchema()) == {"unit": UNKNOWN, "pegawai.0.nama": UNKNOWN}
