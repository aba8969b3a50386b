"""Numbers: exact Decimals from JSON numbers or numeric strings; NaN, Infinity and booleans refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.unit.schemas.support import errors, example, load

FIELD = "skp.kegiatan.0.realisasi.kualitas"


def _with_kualitas(value: Any) -> dict[str, Any]:
    payload = example("pp46_2011_evaluasi")
    payload["skp"]["kegiatan"][0]["realisasi"]["kualitas"] = value
    return payload


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("90", Decimal(90)),
        ("90.25", Decimal("90.25")),
        (" 88 ", Decimal(88)),
        ("8.8e1", Decimal(88)),
        (0.1, Decimal("0.1")),  # a float goes through str: not 0.1000000000000000055511…
        (Decimal("97.9"), Decimal("97.9")),
        (85, Decimal(85)),
        ("0", Decimal(0)),
    ],
)
def test_numbers_and_numeric_strings_are_exact(raw: Any, expected: Decimal) -> None:
    value = load(_with_kualitas(raw))["skp"]["kegiatan"][0]["realisasi"]["kualitas"]
    assert isinstance(value, Decimal)
    assert value == expected
    assert str(value) == str(expected) or value == expected


@pytest.mark.parametrize(
    ("raw", "shown"), [("1e2", "100"), ("1.5E+3", "1500"), ("-0", "0"), ("-0.00", "0.00")]
)
def test_exponents_and_negative_zero_are_shown_plainly(raw: str, shown: str) -> None:
    payload = example("pp46_2011_evaluasi")
    payload["skp"]["kegiatan"][0]["realisasi"]["kuantitas"] = raw
    value = load(payload)["skp"]["kegiatan"][0]["realisasi"]["kuantitas"]
    assert str(value) == shown


def test_float_point_one_is_exactly_decimal_point_one() -> None:
    value = load(_with_kualitas(0.1))["skp"]["kegiatan"][0]["realisasi"]["kualitas"]
    assert value.as_tuple() == Decimal("0.1").as_tuple()
    assert value != Decimal.from_float(0.1)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (True, "harus berupa angka"),
        (False, "harus berupa angka"),
        ("NaN", "harus berupa angka yang terhingga (bukan NaN atau Infinity)"),
        ("-Infinity", "harus berupa angka yang terhingga (bukan NaN atau Infinity)"),
        ("inf", "harus berupa angka yang terhingga (bukan NaN atau Infinity)"),
        (float("nan"), "harus berupa angka yang terhingga (bukan NaN atau Infinity)"),
        (float("inf"), "harus berupa angka yang terhingga (bukan NaN atau Infinity)"),
        (Decimal("sNaN"), "harus berupa angka yang terhingga (bukan NaN atau Infinity)"),
        ("", "harus berupa angka"),
        ("90,5", "harus berupa angka"),
        ("1_000", "harus berupa angka"),
        ("0x10", "harus berupa angka"),
        ("sembilan puluh", "harus berupa angka"),
        ([90], "harus berupa angka"),
        ({"nilai": 90}, "harus berupa angka"),
        ("1e400", "angka terlalu besar"),
        (10**30, "angka terlalu besar"),
        ("0.000000000001", "paling banyak 10 angka di belakang koma"),
        (None, "tidak boleh kosong (null)"),
        (101, "harus antara 0 dan 100"),
        ("-1", "harus antara 0 dan 100"),
    ],
)
def test_bad_numbers_are_refused_with_their_path(raw: Any, message: str) -> None:
    assert errors(_with_kualitas(raw)) == {FIELD: [message]}


def test_huge_integer_beyond_str_conversion_is_refused() -> None:
    # Longer than int→str conversion allows by default: refused, not a ValueError from str().
    assert errors(_with_kualitas(10**5000)) == {FIELD: ["angka terlalu besar"]}


def test_targets_must_be_positive() -> None:
    payload = example("pp46_2011_evaluasi")
    target = payload["skp"]["kegiatan"][2]["target"]
    target["waktu"] = 0
    target["kuantitas"] = "-3"
    target["biaya"] = 0
    assert errors(payload) == {
        "skp.kegiatan.2.target.waktu": ["harus lebih dari 0"],
        "skp.kegiatan.2.target.kuantitas": ["harus lebih dari 0"],
        "skp.kegiatan.2.target.biaya": ["harus lebih dari 0"],
    }


def test_realisasi_may_be_zero_but_not_negative() -> None:
    payload = example("pp46_2011_evaluasi")
    payload["skp"]["kegiatan"][0]["realisasi"].update(kuantitas=0, waktu=0)
    assert load(payload)["skp"]["kegiatan"][0]["realisasi"]["kuantitas"] == 0
    payload["skp"]["kegiatan"][0]["realisasi"]["waktu"] = -1
    assert errors(payload) == {"skp.kegiatan.0.realisasi.waktu": ["tidak boleh negatif"]}


def test_aspect_ranges_differ_by_regime() -> None:
    pp46 = example("pp46_2011_evaluasi")
    pp46["perilaku_kerja"]["integritas"] = 100
    assert load(pp46)["perilaku_kerja"]["integritas"] == 100
    pp46["perilaku_kerja"]["integritas"] = "100.01"
    assert errors(pp46) == {"perilaku_kerja.integritas": ["harus antara 0 dan 100"]}

    p8 = example("permenpanrb_8_2021_evaluasi")
    p8["perilaku_kerja"]["atasan"]["komitmen"] = 120
    assert load(p8)["perilaku_kerja"]["atasan"]["komitmen"] == 120
    p8["perilaku_kerja"]["atasan"]["komitmen"] = 121
    assert errors(p8) == {"perilaku_kerja.atasan.komitmen": ["harus antara 0 dan 120"]}


def test_8_2021_target_number_string_or_range() -> None:
    payload = example("permenpanrb_8_2021_evaluasi")
    rows = payload["skp"]["kinerja_utama"]
    rows[0]["target"] = "4"
    rows[3]["target"] = {"min": "30", "max": 35}
    loaded = load(payload)["skp"]["kinerja_utama"]
    assert loaded[0]["target"] == Decimal(4)
    assert loaded[3]["target"] == {"min": Decimal(30), "max": Decimal(35)}

    rows[0]["target"] = 0
    rows[1]["target"] = [1, 2]
    rows[3]["target"] = {"min": 40, "max": 35, "avg": 1}
    assert errors(payload) == {
        "skp.kinerja_utama.0.target": ["harus lebih dari 0"],
        "skp.kinerja_utama.1.target": ["harus berupa angka atau objek {min, max}"],
        "skp.kinerja_utama.3.target.avg": ["bidang tidak dikenal"],
    }
    del rows[3]["target"]["avg"]
    rows[0]["target"] = rows[1]["target"] = 4
    assert errors(payload) == {"skp.kinerja_utama.3.target.min": ["tidak boleh lebih besar dari max"]}


def test_6_2022_target_is_text_and_a_number_becomes_its_text() -> None:
    payload = example("permenpanrb_6_2022_skp")
    payload["skp"]["hasil_kerja"][0]["target"] = Decimal("85.50")
    payload["skp"]["hasil_kerja"][1]["target"] = 2
    loaded = load(payload)["skp"]["hasil_kerja"]
    assert loaded[0]["target"] == "85.50"
    assert loaded[1]["target"] == "2"
    payload["skp"]["hasil_kerja"][0]["target"] = True
    payload["skp"]["hasil_kerja"][1]["target"] = "  "
    assert errors(payload) == {
        "skp.hasil_kerja.0.target": ["harus berupa teks"],
        "skp.hasil_kerja.1.target": ["wajib diisi"],
    }
