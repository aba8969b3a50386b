"""PermenPANRB 8/2021 Penilaian Kinerja (rules.md §3): capaian, nilai table, nilai SKP, perilaku, predikat."""

from __future__ import annotations

from decimal import Decimal

import pytest

from service.scoring import permenpanrb_8_2021 as pk
from service.scoring.common import ScoringError, round2
from service.scoring.permenpanrb_8_2021 import Iki, PenilaianPerilaku, Rentang

from .payloads import aspek_8_2021
from .payloads import permenpanrb_8_2021 as payload_8_2021

D = Decimal


# --- capaian IKI ------------------------------------------------------------------------------------


def test_capaian_normal() -> None:
    # 97.9 / 100 × 100 = 97.9
    assert pk.capaian_iki(Iki(target=D(100), realisasi=D("97.9"))) == D("97.9")


def test_capaian_kondisi_khusus_lower_is_better() -> None:
    # 8 days of 10: (1 + (1 − 0.8)) × 100 = 120; 12 of 10: (1 + (1 − 1.2)) × 100 = 80
    assert pk.capaian_iki(Iki(target=D(10), realisasi=D(8), kondisi_khusus=True)) == 120
    assert pk.capaian_iki(Iki(target=D(10), realisasi=D(12), kondisi_khusus=True)) == 80


@pytest.mark.parametrize(
    ("realisasi", "kondisi_khusus", "capaian"),
    [
        (15, False, 100),  # inside [10, 20] → 100
        (10, False, 100),  # on the lower end → inside
        (20, False, 100),  # on the upper end → inside
        (25, False, 125),  # above: compare with 20 → 25 / 20 × 100 = 125
        (8, False, 80),  # below: compare with 10 → 8 / 10 × 100 = 80
        (25, True, 75),  # kondisi khusus above: (1 + (1 − 25/20)) × 100 = 75
        (8, True, 120),  # kondisi khusus below: (1 + (1 − 8/10)) × 100 = 120
    ],
)
def test_capaian_range_target(realisasi: int, kondisi_khusus: bool, capaian: int) -> None:
    iki = Iki(target=Rentang(min=D(10), max=D(20)), realisasi=D(realisasi), kondisi_khusus=kondisi_khusus)
    assert pk.capaian_iki(iki) == capaian


# --- nilai table ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("capaian", "kategori", "nilai"),
    [
        (111, "sangat_baik", "120"),  # > 110 → 120
        (110, "sangat_baik", "120"),  # 110 + 10/9 × (110 − 101) = 110 + 10 = 120
        (102, "sangat_baik", "111.11"),  # 110 + 10/9 × 1 = 111.111…
        (101, "sangat_baik", "110"),  # 110 + 10/9 × 0
        (100, "baik", "109"),
        (99, "cukup", "89"),  # 70 + 19/19 × (99 − 80) = 89
        (98, "cukup", "88"),  # 70 + 18
        (80, "cukup", "70"),
        (79, "kurang", "69"),  # 50 + 19/19 × (79 − 60) = 69
        (60, "kurang", "50"),
        (59, "sangat_kurang", "49"),  # 59 / 59 × 49
        (30, "sangat_kurang", "24.92"),  # 30 / 59 × 49 = 24.915…
        (0, "sangat_kurang", "0"),
    ],
)
def test_nilai_capaian_table(capaian: int, kategori: str, nilai: str) -> None:
    got_kategori, got_nilai = pk.nilai_capaian_iki(D(capaian))
    assert got_kategori == kategori
    assert round2(got_nilai) == D(nilai)


def test_maksimal_target_met_is_120() -> None:
    # 100 % of a target that cannot be exceeded: Sangat Baik 120 instead of Baik 109
    assert pk.nilai_capaian_iki(D(100), maksimal=True) == ("sangat_baik", D(120))
    # not met: the ordinary table (99 → 89)
    assert pk.nilai_capaian_iki(D(99), maksimal=True) == ("cukup", D(89))


@pytest.mark.parametrize(
    ("realisasi", "capaian", "kategori", "nilai"),
    [
        ("97.9", 98, "cukup", "88"),  # the regulation's example: 97.9 % printed as 98 %
        ("99.5", 100, "baik", "109"),  # half-up to 100 → 109 (unrounded it would be cukup 89.5)
        ("99.49", 99, "cukup", "89"),
        ("100.49", 100, "baik", "109"),
        ("100.5", 101, "sangat_baik", "110"),
        ("110.49", 110, "sangat_baik", "120"),
        ("110.5", 111, "sangat_baik", "120"),
        ("79.5", 80, "cukup", "70"),
        ("59.5", 60, "kurang", "50"),
    ],
)
def test_capaian_is_rounded_to_whole_percent_before_the_table(
    realisasi: str, capaian: int, kategori: str, nilai: str
) -> None:
    result = pk.nilai_iki(Iki(target=D(100), realisasi=D(realisasi)))
    assert result.capaian_tepat == D(realisasi)
    assert result.capaian == capaian
    assert result.kategori == kategori
    assert result.nilai == D(nilai)


def test_maksimal_uses_the_rounded_capaian() -> None:
    # 99.5 % rounds to 100 %: the maksimal target counts as met → 120
    result = pk.nilai_iki(Iki(target=D(100), realisasi=D("99.5"), maksimal=True))
    assert (result.kategori, result.nilai) == ("sangat_baik", D(120))


def test_negative_capaian_reads_the_table_at_zero() -> None:
    # kondisi khusus, 25 of 10: (1 + (1 − 2.5)) × 100 = −50 → reported; the table reads 0 → nilai 0
    result = pk.nilai_iki(Iki(target=D(10), realisasi=D(25), kondisi_khusus=True))
    assert result.capaian == -50
    assert (result.kategori, result.nilai) == ("sangat_kurang", D(0))


# --- nilai SKP -------------------------------------------------------------------------------------


def test_nilai_skp_is_capped_at_120() -> None:
    # 120 + 2.4 = 122.4 → 120
    assert pk.nilai_skp(D(120), D("2.4")) == 120
    # 105.666… + 4.0 = 109.666… (below the cap, unchanged)
    assert round2(pk.nilai_skp(D(317) / 3, D(4))) == D("109.67")


# --- perilaku ----------------------------------------------------------------------------------------


def test_perilaku_atasan_mean_over_4_aspects_for_non_leaders() -> None:
    # (110 + 100 + 100 + 100) / 4 = 102.5
    perilaku = PenilaianPerilaku(mode="atasan", atasan=aspek_8_2021())
    nilai = pk.nilai_perilaku(perilaku, "pelaksana")
    assert (nilai.atasan, nilai.rekan, nilai.bawahan, nilai.nilai) == (D("102.5"), None, None, D("102.5"))


def test_perilaku_leader_has_kepemimpinan() -> None:
    # (110 + 100 + 100 + 100 + 115) / 5 = 105
    perilaku = PenilaianPerilaku(mode="atasan", atasan=aspek_8_2021(kepemimpinan=115))
    assert pk.nilai_perilaku(perilaku, "pengawas").nilai == 105
    with pytest.raises(ScoringError) as info:
        pk.nilai_perilaku(perilaku, "fungsional")
    assert info.value.field == "perilaku_kerja.atasan.kepemimpinan"
    with pytest.raises(ScoringError) as info:
        pk.nilai_perilaku(PenilaianPerilaku(mode="atasan", atasan=aspek_8_2021()), "jpt")
    assert info.value.field == "perilaku_kerja.atasan.kepemimpinan"


def test_perilaku_survei_is_60_20_20_of_group_means() -> None:
    # atasan (110 + 300) / 4 = 102.5; rekan: (90 + 300) / 4 = 97.5 and (110 + 300) / 4 = 102.5 → 100;
    # bawahan: (120 + 300) / 4 = 105. 0.6 × 102.5 + 0.2 × 100 + 0.2 × 105 = 61.5 + 20 + 21 = 102.5
    perilaku = PenilaianPerilaku(
        mode="survei",
        atasan=aspek_8_2021(),
        rekan=(aspek_8_2021(op=90), aspek_8_2021(op=110)),
        bawahan=(aspek_8_2021(op=120),),
    )
    nilai = pk.nilai_perilaku(perilaku, "pelaksana")
    assert (nilai.atasan, nilai.rekan, nilai.bawahan) == (D("102.5"), D(100), D(105))
    assert nilai.nilai == D("102.5")


def test_survei_with_an_empty_group_is_refused() -> None:
    perilaku = PenilaianPerilaku(mode="survei", atasan=aspek_8_2021(), rekan=(aspek_8_2021(),))
    with pytest.raises(ScoringError) as info:
        pk.nilai_perilaku(perilaku, "pelaksana")
    assert info.value.field == "perilaku_kerja.bawahan"


def test_bobot_70_30_and_60_40() -> None:
    # atasan: 0.7 × 92.6 + 0.3 × 102.5 = 64.82 + 30.75 = 95.57
    assert pk.nilai_kinerja(D("92.6"), D("102.5"), "atasan") == D("95.57")
    # survei: 0.6 × 92.6 + 0.4 × 102.5 = 55.56 + 41 = 96.56
    assert pk.nilai_kinerja(D("92.6"), D("102.5"), "survei") == D("96.56")
    assert pk.bobot("atasan")[2] == "70/30"
    assert pk.bobot("survei")[2] == "60/40"


# --- predikat ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nilai", "ide_baru", "predikat"),
    [
        ("120", True, "sangat_baik"),
        ("110", True, "sangat_baik"),
        ("110", False, "baik"),  # Sangat Baik needs the ide baru
        ("120", False, "baik"),
        ("109.99", True, "baik"),
        ("109.995", True, "sangat_baik"),  # shown 110.00
        ("109.994", True, "baik"),  # shown 109.99
        ("90", False, "baik"),
        ("89.995", False, "baik"),  # shown 90.00
        ("89.99", False, "cukup"),
        ("70", False, "cukup"),
        ("69.99", False, "kurang"),
        ("50", False, "kurang"),
        ("49.99", True, "sangat_kurang"),
        ("0", False, "sangat_kurang"),
    ],
)
def test_predikat(nilai: str, ide_baru: bool, predikat: str) -> None:
    assert pk.predikat(D(nilai), ide_baru=ide_baru) == predikat


def test_nilai_integrasi_2021() -> None:
    # (84.70 + 95.57) / 2 = 90.135 → 90.14 (half-up)
    assert round2(pk.nilai_integrasi_2021(D("84.70"), D("95.57"))) == D("90.14")


# --- the whole penilaian, through the payload ---------------------------------------------------------


def test_hasil_of_a_pengawas() -> None:
    hasil = pk.hasil(payload_8_2021())
    iki = hasil["iki"]
    # IKI 1: 97.9 % → 98 % → 70 + 18 = 88 (cukup)
    assert (iki[0]["capaian"], iki[0]["capaian_tepat"], iki[0]["kategori"], iki[0]["nilai"]) == (
        98,
        D("97.90"),
        "cukup",
        88,
    )
    assert iki[0]["kategori_label"] == "Cukup"
    # IKI 2: kondisi khusus 9 of 10 → (1 + 0.1) × 100 = 110 → 120 (sangat baik)
    assert (iki[1]["capaian"], iki[1]["nilai"]) == (110, 120)
    # IKI 3: 15 inside [10, 20] → 100 → 109
    assert (iki[2]["capaian"], iki[2]["kategori"], iki[2]["nilai"]) == (100, "baik", 109)
    # nilai SKP: (88 + 120 + 109) / 3 = 105.666…; + tambahan baik 1.6 = 107.2666… → 107.27
    assert hasil["rata_rata_iki"] == D("105.67")
    assert hasil["kinerja_tambahan"] == {"jumlah": 1, "nilai": D("1.6")}
    assert hasil["nilai_skp"] == D("107.27")
    # perilaku (pengawas, with kepemimpinan): (110 + 100 + 100 + 100 + 115) / 5 = 105
    assert hasil["nilai_perilaku"] == 105
    assert hasil["bobot"] == "70/30"
    # 0.7 × 107.2666… + 0.3 × 105 = 75.086666… + 31.5 = 106.586666… → 106.59 → Baik
    assert hasil["nilai_kinerja"] == D("106.59")
    assert (hasil["predikat"], hasil["predikat_label"]) == ("baik", "Baik")


def test_hasil_sangat_baik_needs_ide_baru() -> None:
    payload = payload_8_2021()
    for item in payload["skp"]["kinerja_utama"]:
        item["realisasi"] = item["target"]["max"] * 2 if isinstance(item["target"], dict) else item["target"]
    # IKI 1: 100 % → 109; IKI 2: kondisi khusus 10 of 10 → 100 % → 109; IKI 3: 40 of [10, 20] → 200 % → 120
    # nilai SKP (109 + 109 + 120) / 3 + 1.6 = 112.666… + 1.6 = 114.2666…
    # nilai kinerja 0.7 × 114.2666… + 0.3 × 105 = 79.986666… + 31.5 = 111.486666… → 111.49
    assert pk.hasil(payload)["predikat"] == "baik"
    payload["ide_baru"] = "   "
    assert pk.hasil(payload)["predikat"] == "baik"  # blank text records nothing
    payload["ide_baru"] = "Aplikasi antrean daring yang memangkas waktu layanan"
    hasil = pk.hasil(payload)
    assert hasil["nilai_kinerja"] == D("111.49")
    assert (hasil["predikat"], hasil["ide_baru"]) == ("sangat_baik", True)


def test_hasil_weighted_by_bobot() -> None:
    payload = payload_8_2021()
    payload["skp"]["kinerja_utama"] = payload["skp"]["kinerja_utama"][1:]
    payload["skp"]["kinerja_utama"][0]["bobot"] = D(3)
    payload["skp"]["kinerja_utama"][1]["bobot"] = D(1)
    # (3 × 120 + 1 × 109) / 4 = 469 / 4 = 117.25 (unweighted: 114.5); + 1.6 = 118.85
    hasil = pk.hasil(payload)
    assert hasil["rata_rata_iki"] == D("117.25")
    assert hasil["nilai_skp"] == D("118.85")


def test_bobot_on_some_ikis_only_is_refused() -> None:
    payload = payload_8_2021()
    payload["skp"]["kinerja_utama"][0]["bobot"] = D(50)
    with pytest.raises(ScoringError) as info:
        pk.hasil(payload)
    assert info.value.field == "skp.kinerja_utama.1.bobot"


def test_hasil_survei() -> None:
    payload = payload_8_2021()
    payload["pegawai"]["jenis_jabatan"] = "pelaksana"
    payload["perilaku_kerja"] = {
        "mode": "survei",
        "atasan": aspek_8_2021(),
        "rekan": [aspek_8_2021(op=90), aspek_8_2021(op=110)],
        "bawahan": [aspek_8_2021(op=120)],
    }
    hasil = pk.hasil(payload)
    assert hasil["perilaku_kerja"] == {
        "mode": "survei",
        "atasan": D("102.5"),
        "rekan": 100,
        "bawahan": 105,
    }
    # 0.6 × 107.2666… + 0.4 × 102.5 = 64.36 + 41 = 105.36
    assert hasil["bobot"] == "60/40"
    assert hasil["nilai_kinerja"] == D("105.36")

    del payload["perilaku_kerja"]["rekan"]
    with pytest.raises(ScoringError) as info:
        pk.hasil(payload)
    assert info.value.field == "perilaku_kerja.rekan"


def test_payload_errors_name_the_field() -> None:
    payload = payload_8_2021()
    payload["skp"]["kinerja_utama"][2]["target"] = {"min": D(30), "max": D(20)}
    with pytest.raises(ScoringError) as info:
        pk.hasil(payload)
    assert info.value.field == "skp.kinerja_utama.2.target.min"

    payload = payload_8_2021()
    payload["perilaku_kerja"]["atasan"]["komitmen"] = D(121)
    with pytest.raises(ScoringError) as info:
        pk.hasil(payload)
    assert info.value.field == "perilaku_kerja.atasan.komitmen"

    payload = payload_8_2021()
    payload["skp"]["kinerja_tambahan"][0]["kategori"] = "istimewa"
    with pytest.raises(ScoringError) as info:
        pk.hasil(payload)
    assert info.value.field == "skp.kinerja_tambahan.0.kategori"


def test_rencana_checks() -> None:
    payload = payload_8_2021(type_="skp")
    for item in payload["skp"]["kinerja_utama"]:
        del item["realisasi"]
    assert pk.hasil_rencana(payload) == {
        "jumlah_kinerja_utama": 3,
        "jumlah_kinerja_tambahan": 1,
        "jumlah_bobot": None,
    }
    for item, weight in zip(payload["skp"]["kinerja_utama"], (50, 30, 20), strict=True):
        item["bobot"] = D(weight)
    # 50 + 30 + 20 = 100
    assert pk.hasil_rencana(payload)["jumlah_bobot"] == 100
    del payload["skp"]["kinerja_utama"][0]["bobot"]
    with pytest.raises(ScoringError):
        pk.hasil_rencana(payload)
