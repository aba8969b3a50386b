"""PermenPANRB 6/2022 Pengelolaan Kinerja (rules.md §4): kuadran, suggested rating, angka kredit, plans."""

from __future__ import annotations

from decimal import Decimal

import pytest

from service.scoring import permenpanrb_6_2022 as pk
from service.scoring.common import ScoringError, round2
from service.scoring.permenpanrb_6_2022 import RatingHasilKerja

from .payloads import permenpanrb_6_2022 as payload_6_2022

D = Decimal
ATAS, SESUAI, BAWAH = "di_atas_ekspektasi", "sesuai_ekspektasi", "di_bawah_ekspektasi"


# --- kuadran -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hasil_kerja", "perilaku_kerja", "predikat"),
    [
        (ATAS, BAWAH, "kurang_misconduct"),
        (ATAS, SESUAI, "baik"),
        (ATAS, ATAS, "sangat_baik"),
        (SESUAI, BAWAH, "kurang_misconduct"),
        (SESUAI, SESUAI, "baik"),
        (SESUAI, ATAS, "baik"),
        (BAWAH, BAWAH, "sangat_kurang"),
        (BAWAH, SESUAI, "butuh_perbaikan"),
        (BAWAH, ATAS, "butuh_perbaikan"),
    ],
)
def test_kuadran(hasil_kerja: str, perilaku_kerja: str, predikat: str) -> None:
    assert pk.kuadran(hasil_kerja, perilaku_kerja) == predikat
    assert pk.predikat(hasil_kerja, perilaku_kerja) == predikat


def test_unknown_rating_is_refused() -> None:
    with pytest.raises(ScoringError) as info:
        pk.kuadran("istimewa", SESUAI)
    assert info.value.field == "evaluasi.rating_hasil_kerja"
    with pytest.raises(ScoringError) as info:
        pk.kuadran(SESUAI, "baik")
    assert info.value.field == "evaluasi.rating_perilaku_kerja"


# --- suggested rating hasil kerja --------------------------------------------------------------------


def _r(*items: tuple[str, str]) -> list[RatingHasilKerja]:
    return [RatingHasilKerja(jenis="utama" if j == "u" else "tambahan", rating=r) for j, r in items]


@pytest.mark.parametrize(
    ("ratings", "saran"),
    [
        # 2 of 3 above (more than half), no utama below → di atas
        (_r(("u", ATAS), ("t", ATAS), ("u", SESUAI)), ATAS),
        # all above → di atas
        (_r(("u", ATAS), ("u", ATAS)), ATAS),
        # 2 of 3 above but an utama below → not di atas; 1 of 3 below is not most → sesuai
        (_r(("u", ATAS), ("u", ATAS), ("u", BAWAH)), SESUAI),
        # 2 of 3 above, the one below is tambahan → di atas
        (_r(("u", ATAS), ("u", ATAS), ("t", BAWAH)), ATAS),
        # exactly half above is not "most" → sesuai
        (_r(("u", ATAS), ("u", SESUAI)), SESUAI),
        # 2 of 3 below → di bawah
        (_r(("u", BAWAH), ("t", BAWAH), ("u", ATAS)), BAWAH),
        # exactly half below is not "most" → sesuai
        (_r(("t", BAWAH), ("t", BAWAH), ("u", ATAS), ("u", SESUAI)), SESUAI),
        # all sesuai → sesuai
        (_r(("u", SESUAI), ("t", SESUAI)), SESUAI),
    ],
)
def test_saran_rating_hasil_kerja(ratings: list[RatingHasilKerja], saran: str) -> None:
    assert pk.saran_rating_hasil_kerja(ratings) == saran


def test_no_ratings_no_suggestion() -> None:
    assert pk.saran_rating_hasil_kerja([]) is None


# --- angka kredit ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jenjang", "predikat", "bulan", "nilai"),
    [
        ("ahli_pertama", "baik", 12, "12.5"),  # 12/12 × 100 % × 12.5
        ("ahli_pertama", "sangat_baik", 6, "9.38"),  # 6/12 × 150 % × 12.5 = 9.375 → 9.38 (half-up)
        ("pemula", "sangat_kurang", 12, "0.94"),  # 1 × 25 % × 3.75 = 0.9375 → 0.94
        ("terampil", "kurang_misconduct", 12, "2.5"),  # 50 % × 5
        ("mahir", "baik", 12, "12.5"),
        ("penyelia", "butuh_perbaikan", 12, "18.75"),  # 75 % × 25
        ("ahli_muda", "baik", 1, "2.08"),  # 1/12 × 25 = 2.0833…
        ("ahli_madya", "sangat_baik", 12, "56.25"),  # 150 % × 37.5
        ("ahli_utama", "butuh_perbaikan", 3, "9.38"),  # 3/12 × 75 % × 50 = 9.375
    ],
)
def test_angka_kredit(jenjang: str, predikat: str, bulan: int, nilai: str) -> None:
    ak = pk.angka_kredit(jenjang, predikat, D(bulan))
    assert round2(ak.nilai) == D(nilai)
    assert ak.bulan == bulan


def test_angka_kredit_refuses_bad_input() -> None:
    with pytest.raises(ScoringError) as info:
        pk.angka_kredit("ahli_super", "baik", D(12))
    assert info.value.field == "angka_kredit.jenjang"
    for bulan in (0, 13, -1):
        with pytest.raises(ScoringError) as info:
            pk.angka_kredit("ahli_muda", "baik", D(bulan))
        assert info.value.field == "angka_kredit.bulan"
    with pytest.raises(ScoringError):
        pk.angka_kredit("ahli_muda", "cukup", D(12))


# --- through the payload ------------------------------------------------------------------------------


def test_hasil_evaluasi() -> None:
    hasil = pk.hasil(payload_6_2022())
    # hasil kerja di atas × perilaku sesuai → Baik
    assert (hasil["predikat"], hasil["predikat_label"]) == ("baik", "Baik")
    assert hasil["rating_hasil_kerja_label"] == "Di Atas Ekspektasi"
    assert hasil["rating_perilaku_kerja"] == SESUAI
    # per RHK: 2 of 3 above, no utama below → di atas
    assert hasil["saran_rating_hasil_kerja"] == ATAS
    assert hasil["rekap_rating_hasil_kerja"] == {ATAS: 2, SESUAI: 1, BAWAH: 0}
    assert hasil["capaian_organisasi"] == "baik"
    # ahli pertama, baik, 12 months: 12/12 × 100 % × 12.5 = 12.5
    assert hasil["angka_kredit"] == {
        "jenjang": "ahli_pertama",
        "jenjang_label": "Ahli Pertama",
        "koefisien": D("12.5"),
        "persentase": 100,
        "bulan": 12,
        "nilai": D("12.5"),
    }


def test_hasil_without_per_rhk_ratings_or_angka_kredit() -> None:
    payload = payload_6_2022()
    for item in payload["skp"]["hasil_kerja"]:
        del item["rating"]
    del payload["angka_kredit"]
    hasil = pk.hasil(payload)
    assert "saran_rating_hasil_kerja" not in hasil
    assert "angka_kredit" not in hasil


def test_ratings_on_some_rhk_only_are_refused() -> None:
    payload = payload_6_2022()
    del payload["skp"]["hasil_kerja"][1]["rating"]
    with pytest.raises(ScoringError) as info:
        pk.hasil(payload)
    assert info.value.field == "skp.hasil_kerja.1.rating"


def test_missing_rating_is_refused() -> None:
    payload = payload_6_2022()
    del payload["evaluasi"]["rating_perilaku_kerja"]
    with pytest.raises(ScoringError) as info:
        pk.hasil(payload)
    assert info.value.field == "evaluasi.rating_perilaku_kerja"


def test_rencana_checks() -> None:
    payload = payload_6_2022(type_="skp")
    hasil = pk.hasil_rencana(payload)
    assert hasil["jumlah_hasil_kerja"] == {"utama": 2, "tambahan": 1}
    assert hasil["jumlah_manual_iku"] == 0
    assert hasil["jumlah_ekspektasi_khusus"] == 1
    assert "perspektif" not in hasil  # not a JPT and no RHK names a perspektif
    assert hasil["peringatan"] == []


def test_rencana_jpt_perspektif_and_missing_utama() -> None:
    payload = payload_6_2022(type_="skp")
    payload["pegawai"]["jenis_jabatan"] = "jpt"
    for item, perspektif in zip(
        payload["skp"]["hasil_kerja"], ("penerima_layanan", "proses_bisnis", "proses_bisnis"), strict=True
    ):
        item["perspektif"] = perspektif
        item["jenis"] = "tambahan"
    hasil = pk.hasil_rencana(payload)
    assert hasil["perspektif"] == {
        "penerima_layanan": 1,
        "proses_bisnis": 2,
        "penguatan_internal": 0,
        "anggaran": 0,
    }
    aturan = {w["aturan"]: w["pesan"] for w in hasil["peringatan"]}
    assert set(aturan) == {"rencana.hasil_kerja_utama", "rencana.perspektif_jpt"}
    assert "Penguatan Internal" in aturan["rencana.perspektif_jpt"]
    assert "Anggaran" in aturan["rencana.perspektif_jpt"]


def test_rencana_manual_iku() -> None:
    payload = payload_6_2022(type_="manual_iku")
    manual = {
        "tujuan": "t",
        "definisi": "d",
        "formula": "a / b × 100 %",
        "kualitas_tingkat_kendali": "outcome",
        "sumber_data": "SIMPEG",
        "periode_pelaporan": "tahunan",
    }
    payload["skp"]["hasil_kerja"][0]["manual_iku"] = dict(manual)
    hasil = pk.hasil_rencana(payload)
    assert hasil["jumlah_manual_iku"] == 1
    assert [w["aturan"] for w in hasil["peringatan"]] == ["rencana.manual_iku_lengkap"]
    assert hasil["peringatan"][0]["pesan"].startswith("2 dari 3")

    del payload["skp"]["hasil_kerja"][0]["manual_iku"]["formula"]
    with pytest.raises(ScoringError) as info:  # kuantitatif needs the formula
        pk.hasil_rencana(payload)
    assert info.value.field == "skp.hasil_kerja.0.manual_iku.formula"
    payload["skp"]["pendekatan"] = "kualitatif"  # optional when kualitatif
    assert pk.hasil_rencana(payload)["jumlah_manual_iku"] == 1
