"""PermenPANRB 8/2021 JA/JF "Capaian Rencana Kinerja: Kategori | Nilai" (policy; rules.md §3 is silent)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from service.scoring import permenpanrb_8_2021 as pk
from service.scoring.common import ScoringError
from service.scoring.permenpanrb_8_2021 import NilaiIki

from .payloads import permenpanrb_8_2021 as payload_8_2021

D = Decimal


def _iki(nilai: str) -> NilaiIki:
    return NilaiIki(capaian_tepat=D(100), capaian=D(100), kategori="baik", nilai=D(nilai))


@pytest.mark.parametrize(
    ("nilai", "kategori"),
    [
        ("120", "sangat_baik"),
        ("110", "sangat_baik"),
        ("109.99", "baik"),
        ("109", "baik"),  # the nilai IKI table's Baik
        ("90", "baik"),
        ("89.99", "cukup"),
        ("89", "cukup"),  # top of the table's Cukup row
        ("70", "cukup"),
        ("69", "kurang"),
        ("50", "kurang"),
        ("49.99", "sangat_kurang"),
        ("0", "sangat_kurang"),
        # banded on the value as shown: 109.996 shows as 110.00
        ("109.996", "sangat_baik"),
    ],
)
def test_kategori_nilai_bands(nilai: str, kategori: str) -> None:
    assert pk.kategori_nilai(D(nilai)) == kategori


def test_every_table_value_keeps_its_kategori() -> None:
    # The table's own values, read back through the bands, give the table's kategori.
    for capaian in range(121):
        kategori, nilai = pk.nilai_capaian_iki(D(capaian))
        assert pk.kategori_nilai(nilai) == kategori, capaian


def test_rencana_groups_consecutive_ikis_and_means_their_nilai() -> None:
    rencana = pk.rencana_kinerja(["A", "A", "B"], [_iki("88"), _iki("120"), _iki("109")], [None] * 3)
    assert [r.iki for r in rencana] == [(0, 1), (2,)]
    # A: (88 + 120) / 2 = 104 → baik; B: 109 → baik
    assert [(r.nilai, r.kategori) for r in rencana] == [(D(104), "baik"), (D(109), "baik")]
    # weights by IKI count: A 2/3 × 104 = 69.333…, B 1/3 × 109 = 36.333…; sum = (88+120+109)/3
    assert sum(r.nilai_tertimbang for r in rencana) == (D(88) + D(120) + D(109)) / 3


def test_rencana_weighted_by_bobot() -> None:
    rencana = pk.rencana_kinerja(
        ["A", "A", "B"], [_iki("80"), _iki("120"), _iki("60")], [D(30), D(10), D(60)]
    )
    # A: (80×30 + 120×10) / 40 = 90 → baik, weight 40; B: 60 → kurang, weight 60
    assert [(r.nilai, r.kategori) for r in rencana] == [(D(90), "baik"), (D(60), "kurang")]
    assert [r.nilai_tertimbang for r in rencana] == [D(36), D(36)]


def test_same_text_apart_is_two_rencana() -> None:
    rencana = pk.rencana_kinerja(["A", "B", "A"], [_iki("100")] * 3, [None] * 3)
    assert [r.iki for r in rencana] == [(0,), (1,), (2,)]


def test_rencana_refuses_mixed_bobot_and_empty_lists() -> None:
    with pytest.raises(ScoringError) as error:
        pk.rencana_kinerja(["A", "A"], [_iki("100")] * 2, [D(50), None])
    assert error.value.field == "skp.kinerja_utama.1.bobot"
    with pytest.raises(ScoringError):
        pk.rencana_kinerja([], [], [])
    with pytest.raises(ScoringError):
        pk.rencana_kinerja(["A"], [_iki("100")] * 2, [None, None])


def test_hasil_lists_each_rencana_kinerja() -> None:
    data = payload_8_2021()
    data["skp"]["kinerja_utama"][1]["rencana_kinerja"] = "Layanan"
    hasil = pk.hasil(data)
    # IKI nilai 88, 120, 109 (test_permenpanrb_8_2021.test_hasil_of_a_pengawas)
    assert hasil["rencana_kinerja"] == [
        {
            "iki": [0, 1],
            "kategori": "baik",
            "kategori_label": "Baik",
            "nilai": 104,
            "nilai_tertimbang": D("69.33"),
        },
        {
            "iki": [2],
            "kategori": "baik",
            "kategori_label": "Baik",
            "nilai": 109,
            "nilai_tertimbang": D("36.33"),
        },
    ]
    assert hasil["rata_rata_iki"] == D("105.67")
