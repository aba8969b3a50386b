"""Decimal helpers, labels and ScoringError (rules.md §0)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from service.scoring.common import (
    ScoringError,
    angka,
    angka_opsional,
    label,
    mean,
    periksa_kepemimpinan,
    round2,
    round2_opsional,
    round_whole,
    to_decimal,
    with_label,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (0.1, Decimal("0.1")),  # via str: not 0.1000000000000000055511151231257827…
        (1.76, Decimal("1.76")),
        ("97.9", Decimal("97.9")),
        (" 12 ", Decimal(12)),
        (12, Decimal(12)),
        (Decimal("9.12"), Decimal("9.12")),
    ],
)
def test_to_decimal_goes_through_str(raw: object, expected: Decimal) -> None:
    assert to_decimal(raw) == expected


def test_float_input_keeps_its_short_form() -> None:
    # Decimal(0.1) would be 0.1000000000000000055511151231257827021181583404541015625
    assert str(to_decimal(0.1)) == "0.1"
    assert to_decimal(0.1) * 3 == Decimal("0.3")


@pytest.mark.parametrize("raw", [True, None, "abc", "NaN", "Infinity", "-inf", [1], {"a": 1}])
def test_to_decimal_refuses_non_numbers(raw: object) -> None:
    with pytest.raises(ScoringError) as info:
        to_decimal(raw, "skp.kegiatan.0.target.waktu")
    assert info.value.field == "skp.kegiatan.0.target.waktu"
    assert "angka" in info.value.message


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("0.125", "0.13"),  # half-up, where banker's rounding would give 0.12
        ("2.675", "2.68"),  # the float 2.675 is 2.67499…; as a Decimal it is an exact tie
        ("88.66666666", "88.67"),
        ("75.004", "75.00"),
        ("75.005", "75.01"),
        ("-0.125", "-0.13"),  # ties go away from zero (ROUND_HALF_UP) on negative values too
        ("1E+30", "1000000000000000000000000000000.00"),  # no precision error on a large value
    ],
)
def test_round2_is_half_up(value: str, shown: str) -> None:
    assert str(round2(Decimal(value))) == shown


def test_round_whole_is_half_up() -> None:
    # 97.9 → 98 (the regulation's example), 98.5 → 99 (half-up, not to even), 98.49 → 98
    assert round_whole(Decimal("97.9")) == 98
    assert round_whole(Decimal("98.5")) == 99
    assert round_whole(Decimal("98.49")) == 98


def test_mean_keeps_full_precision() -> None:
    # (88.666… + 85) / 2 = 86.8333…, not (88.67 + 85) / 2 = 86.835
    value = mean([Decimal(266) / 3, Decimal(85)])
    assert round2(value) == Decimal("86.83")


def test_labels() -> None:
    assert label("sangat_baik") == "Sangat Baik"
    assert label("kurang_misconduct") == "Kurang/Misconduct"
    assert label("di_atas_ekspektasi") == "Di Atas Ekspektasi"
    assert with_label("predikat", "butuh_perbaikan") == {
        "predikat": "butuh_perbaikan",
        "predikat_label": "Butuh Perbaikan",
    }


def test_angka_reads_and_checks() -> None:
    data = {"waktu": Decimal(0), "kuantitas": Decimal(-1), "kualitas": Decimal(101)}
    assert angka_opsional(data, "biaya", "t") is None
    assert angka(data, "waktu", "t") == 0
    with pytest.raises(ScoringError, match=r"t\.waktu: harus lebih dari 0"):
        angka(data, "waktu", "t", lebih_dari_nol=True)
    with pytest.raises(ScoringError, match=r"t\.kuantitas: tidak boleh negatif"):
        angka(data, "kuantitas", "t")
    with pytest.raises(ScoringError, match=r"t\.kualitas: paling tinggi 100"):
        angka(data, "kualitas", "t", maksimum=Decimal(100))
    with pytest.raises(ScoringError, match=r"t\.biaya: wajib diisi"):
        angka(data, "biaya", "t")


def test_round2_opsional_keeps_absence() -> None:
    assert round2_opsional(None) is None
    assert round2_opsional(Decimal("91.755")) == Decimal("91.76")


@pytest.mark.parametrize(
    ("dinilai", "jenis_jabatan", "refused"),
    [
        (True, "jpt", False),
        (True, "administrator", False),
        (True, "pengawas", False),
        (False, "pengawas", True),
        (True, "pelaksana", True),
        (True, "fungsional", True),
        (False, "fungsional", False),
    ],
)
def test_kepemimpinan_only_for_struktural(dinilai: bool, jenis_jabatan: str, refused: bool) -> None:
    if refused:
        with pytest.raises(ScoringError) as info:
            periksa_kepemimpinan(dinilai, jenis_jabatan, "perilaku_kerja.kepemimpinan")
        assert info.value.field == "perilaku_kerja.kepemimpinan"
    else:
        periksa_kepemimpinan(dinilai, jenis_jabatan, "perilaku_kerja.kepemimpinan")
