"""The policies of rules.md, each in its one named place (service/scoring/policy.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from service.scoring import policy
from service.scoring.common import ScoringError

D = Decimal


def test_kreativitas_points_add_up() -> None:
    # unit kerja 3 + instansi 6 + nasional 12 = 21; two unit kerja items = 3 + 3 = 6
    assert policy.nilai_kreativitas(["unit_kerja", "instansi", "nasional"]) == 21
    assert policy.nilai_kreativitas(["unit_kerja", "unit_kerja"]) == 6
    assert policy.nilai_kreativitas([]) == 0


@pytest.mark.parametrize(
    ("kategori", "nilai"),
    [("sangat_baik", "2.4"), ("baik", "1.6"), ("cukup", "1.0"), ("kurang", "0.5"), ("sangat_kurang", "0.1")],
)
def test_kinerja_tambahan_points(kategori: str, nilai: str) -> None:
    assert policy.nilai_kinerja_tambahan([kategori]) == D(nilai)


def test_kinerja_tambahan_points_add_up() -> None:
    # 2.4 + 1.6 + 1.0 + 0.5 + 0.1 = 5.6
    assert policy.nilai_kinerja_tambahan(list(policy.KINERJA_TAMBAHAN_NILAI)) == D("5.6")


def test_capaian_rounded_to_whole_percent_half_up() -> None:
    assert policy.capaian_untuk_tabel(D("97.9")) == 98
    assert policy.capaian_untuk_tabel(D("100.5")) == 101
    assert policy.capaian_untuk_tabel(D("100.4999")) == 100


def test_bobot_all_none_or_all_given() -> None:
    # plain mean: (120 + 70) / 2 = 95; weighted 3:1: (360 + 70) / 4 = 107.5
    assert policy.rata_rata_berbobot([D(120), D(70)], [None, None], "f") == 95
    assert policy.rata_rata_berbobot([D(120), D(70)], [D(3), D(1)], "f") == D("107.5")
    with pytest.raises(ScoringError) as info:
        policy.rata_rata_berbobot([D(120), D(70)], [D(3), None], "skp.kinerja_utama")
    assert info.value.field == "skp.kinerja_utama.1.bobot"
    with pytest.raises(ScoringError):
        policy.bobot_iki([D(0), D(0)], "f")


def test_survei_weights_and_empty_group_policy() -> None:
    assert sum(policy.BOBOT_SURVEI.values()) == 1
    assert policy.BOBOT_SURVEI["atasan"] == D("0.6")
    assert policy.SURVEI_KELOMPOK_KOSONG_DITOLAK is True


@pytest.mark.parametrize(
    ("text", "recorded"), [("Ide baru", True), ("", False), ("  \n", False), (None, False)]
)
def test_ide_baru_recorded(text: str | None, recorded: bool) -> None:
    assert policy.ide_baru_tercatat(text) is recorded


def test_competition_ranking() -> None:
    assert policy.peringkat_bersama([(1,), (2,), (2,), (3,)]) == [1, 2, 2, 4]
    assert policy.peringkat_bersama([(0,), (0,), (0,)]) == [1, 1, 1]
    assert policy.peringkat_bersama([]) == []


def test_distribution_rules_compare_the_exact_share() -> None:
    rule = policy.AturanDistribusi("x", frozenset({"baik"}), "paling_tinggi", D(20), "uraian")
    # 1 of 5 = 20 % exactly → fits; 2 of 9 = 22.2 % → broken
    assert rule.terpenuhi(1, 5)
    assert not rule.terpenuhi(2, 9)
    majority = policy.AturanDistribusi("y", frozenset({"baik"}), "lebih_dari", D(50), "uraian")
    assert not majority.terpenuhi(5, 10)  # exactly half is not more than half
    assert majority.terpenuhi(6, 11)


def test_pola_distribusi_covers_every_capaian_organisasi() -> None:
    assert set(policy.POLA_DISTRIBUSI_6_2022) == {
        "istimewa",
        "baik",
        "butuh_perbaikan",
        "kurang",
        "sangat_kurang",
    }
    ids = [r.aturan for rules in policy.POLA_DISTRIBUSI_6_2022.values() for r in rules]
    ids += [r.aturan for r in policy.DISTRIBUSI_8_2021]
    assert len(ids) == len(set(ids))
