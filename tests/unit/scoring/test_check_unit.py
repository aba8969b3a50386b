"""check_unit: distribution per unit kerja, its warnings and the ranking (rules.md §3, §4)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from service.scoring import check_unit
from service.scoring.common import ScoringError

D = Decimal


def _unit(*predikat: str, nilai: list[int | str] | None = None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i, p in enumerate(predikat):
        row: dict[str, Any] = {"nip": f"1990010120150310{i + 1:02d}", "predikat": p}
        if nilai is not None:
            row["nilai"] = D(str(nilai[i]))
        rows.append(row)
    return rows


def _aturan(result: dict[str, Any]) -> set[str]:
    return {w["aturan"] for w in result["warnings"]}


# --- permenpanrb_8_2021 ------------------------------------------------------------------------------


def test_8_2021_fitting_unit() -> None:
    # 1 of 10 sangat baik (10 % ≤ 20 %), 7 baik (70 %, within 60–70 %), 2 below (20 % ≤ 20 %)
    result = check_unit("permenpanrb_8_2021", _unit("sangat_baik", *["baik"] * 7, "cukup", "kurang"), None)
    assert result["warnings"] == []
    assert result["distribusi"]["baik"] == {"jumlah": 7, "persen": 70}
    assert result["distribusi"]["sangat_kurang"] == {"jumlah": 0, "persen": 0}
    assert set(result["distribusi"]) == {"sangat_baik", "baik", "cukup", "kurang", "sangat_kurang"}


def test_8_2021_bounds_are_inclusive() -> None:
    # 1 of 5 = 20 % sangat baik (≤ 20), 3 of 5 = 60 % baik (≥ 60), 1 of 5 = 20 % below (≤ 20)
    unit = _unit("sangat_baik", "baik", "baik", "baik", "sangat_kurang")
    result = check_unit("permenpanrb_8_2021", unit, None)
    assert result["warnings"] == []


def test_8_2021_broken_rules() -> None:
    # 3 of 10 sangat baik = 30 % > 20 %; 5 of 10 baik = 50 % < 60 %; 2 of 10 below = 20 % fits
    result = check_unit(
        "permenpanrb_8_2021", _unit(*["sangat_baik"] * 3, *["baik"] * 5, "cukup", "kurang"), None
    )
    assert _aturan(result) == {
        "distribusi_8_2021.di_atas_ekspektasi",
        "distribusi_8_2021.sesuai_ekspektasi_min",
    }
    pesan = {w["aturan"]: w["pesan"] for w in result["warnings"]}
    assert "30 % (3 dari 10 pegawai)" in pesan["distribusi_8_2021.di_atas_ekspektasi"]


def test_8_2021_too_many_baik_and_below() -> None:
    # 4 of 5 baik = 80 % > 70 %; then 3 of 4 below = 75 % > 20 % and baik 25 % < 60 %
    unit = _unit("baik", "baik", "baik", "baik", "cukup")
    assert _aturan(check_unit("permenpanrb_8_2021", unit, None)) == {
        "distribusi_8_2021.sesuai_ekspektasi_maks",
    }
    unit = _unit("baik", "cukup", "kurang", "sangat_kurang")
    assert _aturan(check_unit("permenpanrb_8_2021", unit, None)) == {
        "distribusi_8_2021.sesuai_ekspektasi_min",
        "distribusi_8_2021.di_bawah_ekspektasi",
    }


def test_persen_is_rounded_half_up() -> None:
    # 1 of 3 = 33.333… → 33.33; 2 of 3 = 66.666… → 66.67
    result = check_unit("permenpanrb_8_2021", _unit("baik", "baik", "cukup"), None)
    assert result["distribusi"]["cukup"]["persen"] == D("33.33")
    assert result["distribusi"]["baik"]["persen"] == D("66.67")


def test_8_2021_ranking_by_nilai_then_predikat_ties_share_a_rank() -> None:
    pegawai = _unit(
        "baik",
        "sangat_baik",
        "baik",
        "cukup",
        "baik",
        "baik",
        nilai=[112, 112, "87.834", 75, "87.831", 95],
    )
    pegawai.append({"nip": "199001012015031099", "predikat": "kurang"})  # no nilai: ranked last
    result = check_unit("permenpanrb_8_2021", pegawai, None)
    order = [(r["nip"][-2:], r["peringkat"]) for r in result["peringkat"]]
    # 112 sangat_baik (02) before 112 baik (01); then 95 (06); 87.834 and 87.831 are both shown 87.83
    # with the same predikat → they share rank 4 and the next is 6; 75 (04); no nilai (99) last
    assert order == [("02", 1), ("01", 2), ("06", 3), ("03", 4), ("05", 4), ("04", 6), ("99", 7)]
    first = result["peringkat"][0]
    assert (first["predikat"], first["predikat_label"], first["nilai"]) == ("sangat_baik", "Sangat Baik", 112)
    assert result["peringkat"][3]["nilai"] == D("87.83")


# --- permenpanrb_6_2022 ------------------------------------------------------------------------------


def test_6_2022_butuh_perbaikan_unit_breaking_two_rules() -> None:
    # capaian butuh_perbaikan: ≥ 60 % butuh_perbaikan (1 of 5 = 20 %) and sangat_baik ≤ 10 % (2 of 5 = 40 %)
    result = check_unit(
        "permenpanrb_6_2022",
        _unit("sangat_baik", "sangat_baik", "baik", "baik", "butuh_perbaikan"),
        "butuh_perbaikan",
    )
    assert result["distribusi"]["sangat_baik"] == {"jumlah": 2, "persen": 40}
    assert _aturan(result) == {
        "pola_distribusi.butuh_perbaikan.butuh_perbaikan_min",
        "pola_distribusi.butuh_perbaikan.sangat_baik_maks",
    }
    # ranked by predikat only: the two sangat baik share 1, the two baik share 3, then 5
    assert [r["peringkat"] for r in result["peringkat"]] == [1, 1, 3, 3, 5]


@pytest.mark.parametrize(
    ("capaian", "fitting"),
    [
        # 6 of 10 sangat baik: 60 % is a majority (> 50 %) and ≤ 70 %
        ("istimewa", ["sangat_baik"] * 6 + ["baik"] * 4),
        # 6 baik (60 %), 2 sangat baik, and some butuh perbaikan / kurang misconduct
        ("baik", ["baik"] * 6 + ["sangat_baik"] * 2 + ["butuh_perbaikan", "kurang_misconduct"]),
        # 6 of 10 butuh perbaikan (60 % ≥ 60 %), 1 sangat baik (10 % ≤ 10 %)
        ("butuh_perbaikan", ["butuh_perbaikan"] * 6 + ["sangat_baik"] + ["baik"] * 3),
        # 6 kurang misconduct (60 %), 1 butuh perbaikan (10 %), 1 sangat baik (10 %)
        ("kurang", ["kurang_misconduct"] * 6 + ["butuh_perbaikan", "sangat_baik"] + ["sangat_kurang"] * 2),
        # 6 sangat kurang (60 %), 1 kurang misconduct (10 %), no sangat baik
        ("sangat_kurang", ["sangat_kurang"] * 6 + ["kurang_misconduct"] + ["baik"] * 3),
    ],
)
def test_6_2022_fitting_units(capaian: str, fitting: list[str]) -> None:
    assert check_unit("permenpanrb_6_2022", _unit(*fitting), capaian)["warnings"] == []


@pytest.mark.parametrize(
    ("capaian", "predikat", "broken"),
    [
        # 5 of 10 = 50 % is not a majority
        ("istimewa", ["sangat_baik"] * 5 + ["baik"] * 5, {"pola_distribusi.istimewa.sangat_baik_mayoritas"}),
        # 8 of 10 = 80 % > 70 %
        ("istimewa", ["sangat_baik"] * 8 + ["baik"] * 2, {"pola_distribusi.istimewa.sangat_baik_maks"}),
        # 6 baik, 4 sangat baik: nobody butuh perbaikan or kurang misconduct
        (
            "baik",
            ["baik"] * 6 + ["sangat_baik"] * 4,
            {"pola_distribusi.baik.ada_butuh_perbaikan_atau_kurang"},
        ),
        # 8 of 10 baik = 80 % > 70 %
        ("baik", ["baik"] * 8 + ["butuh_perbaikan"] * 2, {"pola_distribusi.baik.baik_maks"}),
        # kurang misconduct 6 (60 %), but no butuh perbaikan (0 % < 10 %) and 2 sangat baik (20 % > 10 %)
        (
            "kurang",
            ["kurang_misconduct"] * 6 + ["sangat_baik"] * 2 + ["baik"] * 2,
            {"pola_distribusi.kurang.butuh_perbaikan_min", "pola_distribusi.kurang.sangat_baik_maks"},
        ),
        # one sangat baik where none is expected; 5 of 10 sangat kurang = 50 % < 60 %
        (
            "sangat_kurang",
            ["sangat_kurang"] * 5 + ["butuh_perbaikan"] * 4 + ["sangat_baik"],
            {
                "pola_distribusi.sangat_kurang.sangat_kurang_min",
                "pola_distribusi.sangat_kurang.tanpa_sangat_baik",
            },
        ),
    ],
)
def test_6_2022_broken_rules(capaian: str, predikat: list[str], broken: set[str]) -> None:
    assert _aturan(check_unit("permenpanrb_6_2022", _unit(*predikat), capaian)) == broken


def test_6_2022_without_capaian_organisasi_warns() -> None:
    result = check_unit("permenpanrb_6_2022", _unit("baik"), None)
    assert _aturan(result) == {"pola_distribusi.capaian_organisasi"}


# --- pp46_2011 and errors ----------------------------------------------------------------------------


def test_pp46_ranking_only() -> None:
    result = check_unit("pp46_2011", _unit("buruk", "sangat_baik", "baik", nilai=[40, "91.5", "84.7"]), None)
    assert result["warnings"] == []
    assert [r["nip"][-2:] for r in result["peringkat"]] == ["02", "03", "01"]
    assert set(result["distribusi"]) == {"sangat_baik", "baik", "cukup", "kurang", "buruk"}


@pytest.mark.parametrize(
    ("regime", "predikat", "capaian", "field"),
    [
        ("permenpanrb_8_2021", "butuh_perbaikan", None, "pegawai.1.predikat"),  # a 6/2022 id
        ("permenpanrb_6_2022", "cukup", "baik", "pegawai.1.predikat"),  # an 8/2021 id
        ("pp46_2011", "sangat_kurang", None, "pegawai.1.predikat"),  # pp46 says buruk
        ("permenpanrb_6_2022", "baik", "luar_biasa", "capaian_organisasi"),
        ("permenpanrb_2099", "baik", None, "regime"),
    ],
)
def test_unknown_ids_are_refused(regime: str, predikat: str, capaian: str | None, field: str) -> None:
    with pytest.raises(ScoringError) as info:
        check_unit(regime, _unit("baik", predikat), capaian)
    assert info.value.field == field


def test_empty_unit_and_duplicate_nip_are_refused() -> None:
    with pytest.raises(ScoringError) as info:
        check_unit("permenpanrb_8_2021", [], None)
    assert info.value.field == "pegawai"
    rows = _unit("baik", "baik")
    rows[1]["nip"] = rows[0]["nip"]
    with pytest.raises(ScoringError) as info:
        check_unit("permenpanrb_8_2021", rows, None)
    assert info.value.field == "pegawai.1.nip"
