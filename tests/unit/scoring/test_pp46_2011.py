"""PP 46/2011 Penilaian Prestasi Kerja (rules.md §2): per-kegiatan aspects, nilai SKP, perilaku, sebutan."""

from __future__ import annotations

from decimal import Decimal

import pytest

from service.scoring import pp46_2011 as pp46
from service.scoring.common import ScoringError, round2
from service.scoring.pp46_2011 import Aspek, Kegiatan, PerilakuKerja

from .payloads import pp46 as pp46_payload

D = Decimal


# --- kuantitas / kualitas ---------------------------------------------------------------------------


def test_kuantitas_is_not_capped() -> None:
    # 15 / 12 × 100 = 125
    assert pp46.nilai_kuantitas(D(12), D(15)) == 125
    # 8 / 10 × 100 = 80
    assert pp46.nilai_kuantitas(D(10), D(8)) == 80


def test_kualitas() -> None:
    # 90 / 100 × 100 = 90
    assert pp46.nilai_kualitas(D(100), D(90)) == 90


# --- waktu / biaya: efficiency ----------------------------------------------------------------------


def test_waktu_on_time_is_76() -> None:
    # R = T = 12: E = 100 − 100 = 0 ≤ 24 → ((1.76 × 12 − 12) / 12) × 100 = 9.12 / 12 × 100 = 76
    assert pp46.efisiensi(D(12), D(12)) == 0
    assert pp46.nilai_efisiensi(D(12), D(12)) == 76


def test_waktu_efficiency_exactly_24_is_100() -> None:
    # R = 9.12 of 12: E = 100 − 9.12/12 × 100 = 100 − 76 = 24 ≤ 24 → ((21.12 − 9.12) / 12) × 100 = 100
    assert pp46.efisiensi(D(12), D("9.12")) == 24
    assert pp46.nilai_efisiensi(D(12), D("9.12")) == 100
    # T = 7, R = 5.32: E = 100 − 76 = 24 → ((12.32 − 5.32) / 7) × 100 = 100
    assert pp46.nilai_efisiensi(D(7), D("5.32")) == 100


def test_waktu_just_past_24_drops_to_about_76() -> None:
    # R = 9 of 12: E = 100 − 9/12 × 100 = 25 > 24 → 76 − ((1.76 × 12 − 9) / 12 × 100 − 100)
    #   = 76 − (12.12 / 12 × 100 − 100) = 76 − (101 − 100) = 75
    assert pp46.nilai_efisiensi(D(12), D(9)) == 75
    # R = 9.11: E = 24.083… > 24 → 76 − ((21.12 − 9.11) / 12 × 100 − 100) = 76 − 0.08333… = 75.91666…
    assert round2(pp46.nilai_efisiensi(D(12), D("9.11"))) == D("75.92")
    # R = 9.13: E = 23.916… ≤ 24 → (21.12 − 9.13) / 12 × 100 = 11.99 / 12 × 100 = 99.91666…
    assert round2(pp46.nilai_efisiensi(D(12), D("9.13"))) == D("99.92")


def test_late_work_is_below_76_and_not_floored() -> None:
    # R = 15 of 12: E = −25 ≤ 24 → (21.12 − 15) / 12 × 100 = 6.12 / 12 × 100 = 51
    assert pp46.nilai_efisiensi(D(12), D(15)) == 51
    # R = 24 of 12: (21.12 − 24) / 12 × 100 = −2.88 / 12 × 100 = −24: negative, reported as is
    assert pp46.nilai_efisiensi(D(12), D(24)) == -24


def test_biaya_uses_the_same_formula() -> None:
    # 800 000 of 1 000 000: E = 20 ≤ 24 → (1 760 000 − 800 000) / 1 000 000 × 100 = 96
    assert pp46.nilai_efisiensi(D(1_000_000), D(800_000)) == 96


# --- nilai capaian per kegiatan ----------------------------------------------------------------------


Row = tuple[int, int, int, int | None]


def _kegiatan(target: Row, realisasi: Row) -> Kegiatan:
    def aspek(values: Row) -> Aspek:
        k, q, w, b = values
        return Aspek(D(k), D(q), D(w), None if b is None else D(b))

    return Kegiatan(aspek(target), aspek(realisasi))


def test_nilai_capaian_without_biaya_divides_by_3() -> None:
    # kuantitas 12/12 → 100; kualitas 90/100 → 90; waktu R = T → 76
    # penghitungan 266; nilai capaian 266 / 3 = 88.666… → 88.67
    nilai = pp46.nilai_capaian(_kegiatan((12, 100, 12, None), (12, 90, 12, None)))
    assert (nilai.kuantitas, nilai.kualitas, nilai.waktu, nilai.biaya) == (D(100), D(90), D(76), None)
    assert nilai.penghitungan == 266
    assert nilai.jumlah_aspek == 3
    assert round2(nilai.nilai_capaian) == D("88.67")


def test_nilai_capaian_with_biaya_divides_by_4() -> None:
    # 100 + 95 + 76 + 96 (biaya 800 000 of 1 000 000) = 367; 367 / 4 = 91.75
    nilai = pp46.nilai_capaian(_kegiatan((10, 100, 12, 1_000_000), (10, 95, 12, 800_000)))
    assert nilai.biaya == 96
    assert nilai.penghitungan == 367
    assert nilai.jumlah_aspek == 4
    assert nilai.nilai_capaian == D("91.75")


def test_kegiatan_not_done_scores_zero_everywhere() -> None:
    # realisasi kuantitas 0: every aspect 0, even waktu (whose formula would give 176 for R = 0)
    nilai = pp46.nilai_capaian(_kegiatan((5, 100, 6, 500), (0, 0, 0, 0)))
    assert (nilai.kuantitas, nilai.kualitas, nilai.waktu, nilai.biaya) == (D(0), D(0), D(0), D(0))
    assert nilai.nilai_capaian == 0
    assert nilai.jumlah_aspek == 4
    without_biaya = pp46.nilai_capaian(_kegiatan((5, 100, 6, None), (0, 0, 0, None)))
    assert without_biaya.biaya is None


def test_biaya_target_without_realisasi_is_refused() -> None:
    with pytest.raises(ScoringError) as info:
        pp46.nilai_capaian(_kegiatan((10, 100, 12, 1000), (10, 100, 12, None)))
    assert info.value.field == "realisasi.biaya"


# --- tugas tambahan and kreativitas ------------------------------------------------------------------


@pytest.mark.parametrize(("jumlah", "nilai"), [(0, 0), (1, 1), (3, 1), (4, 2), (6, 2), (7, 3), (20, 3)])
def test_tugas_tambahan_bands(jumlah: int, nilai: int) -> None:
    assert pp46.nilai_tugas_tambahan(jumlah) == nilai


def test_nilai_skp_adds_tambahan_and_kreativitas() -> None:
    # mean(88.666…, 85) = 86.8333…; + 1 + 6 = 93.8333… (not capped in PP 46)
    assert round2(pp46.nilai_skp([D(266) / 3, D(85)], D(1), D(6))) == D("93.83")


# --- perilaku kerja -------------------------------------------------------------------------------


def _perilaku(kepemimpinan: int | None = None) -> PerilakuKerja:
    return PerilakuKerja(D(80), D(85), D(90), D(75), D(70), None if kepemimpinan is None else D(kepemimpinan))


def test_perilaku_non_struktural_has_5_aspects() -> None:
    # 80 + 85 + 90 + 75 + 70 = 400; 400 / 5 = 80
    for jenis in ("pelaksana", "fungsional"):
        nilai = pp46.nilai_perilaku_kerja(_perilaku(), jenis)
        assert nilai.jumlah == 400
        assert nilai.rata_rata == 80
        assert len(nilai.aspek) == 5


@pytest.mark.parametrize("jenis", ["jpt", "administrator", "pengawas"])
def test_perilaku_struktural_has_6_aspects(jenis: str) -> None:
    # 400 + kepemimpinan 95 = 495; 495 / 6 = 82.5
    nilai = pp46.nilai_perilaku_kerja(_perilaku(95), jenis)
    assert nilai.jumlah == 495
    assert nilai.rata_rata == D("82.5")
    assert list(nilai.aspek)[-1] == "kepemimpinan"


def test_kepemimpinan_for_non_struktural_is_refused() -> None:
    with pytest.raises(ScoringError) as info:
        pp46.nilai_perilaku_kerja(_perilaku(95), "fungsional")
    assert info.value.field == "perilaku_kerja.kepemimpinan"
    assert "hanya" in info.value.message


def test_kepemimpinan_missing_for_struktural_is_refused() -> None:
    with pytest.raises(ScoringError) as info:
        pp46.nilai_perilaku_kerja(_perilaku(), "administrator")
    assert info.value.field == "perilaku_kerja.kepemimpinan"
    assert "wajib" in info.value.message


def test_nilai_prestasi_kerja_is_60_40() -> None:
    # 0.6 × 87.8333… + 0.4 × 80 = 52.7 + 32 = 84.7
    assert round2(pp46.nilai_prestasi_kerja(D(527) / 6, D(80))) == D("84.70")


# --- sebutan ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nilai", "sebutan"),
    [
        ("100", "sangat_baik"),
        ("90.01", "sangat_baik"),
        ("90.005", "sangat_baik"),  # shown 90.01
        ("90.004", "baik"),  # shown 90.00, not > 90
        ("90", "baik"),
        ("75.01", "baik"),
        ("75.005", "baik"),  # shown 75.01
        ("75.004", "cukup"),  # shown 75.00
        ("75", "cukup"),
        ("60.01", "cukup"),
        ("60", "kurang"),
        ("50.01", "kurang"),
        ("50", "buruk"),
        ("0", "buruk"),
        ("-24", "buruk"),
    ],
)
def test_sebutan_bands_on_the_value_as_shown(nilai: str, sebutan: str) -> None:
    assert pp46.sebutan(D(nilai)) == sebutan


# --- the whole penilaian, through the payload ---------------------------------------------------------


def test_hasil_of_the_api_example() -> None:
    hasil = pp46.hasil(pp46_payload())
    k1, k2 = hasil["kegiatan"]
    # K1: 100 + 90 + 76 = 266 → 88.666… → 88.67; K2: 80 + 100 + 75 = 255 → 85
    assert (k1["penghitungan"], k1["nilai_capaian"], k1["sebutan"]) == (266, D("88.67"), "baik")
    assert (k2["kuantitas"], k2["waktu"], k2["nilai_capaian"]) == (80, 75, 85)
    # nilai SKP = (88.666… + 85) / 2 + 1 = 87.8333… → 87.83 (not (88.67 + 85) / 2 + 1 = 87.835 → 87.84)
    assert hasil["rata_rata_capaian"] == D("86.83")
    assert hasil["tugas_tambahan"] == {"jumlah": 2, "nilai": 1}
    assert hasil["nilai_skp"] == D("87.83")
    assert hasil["sebutan_skp"] == "baik"
    assert hasil["perilaku_kerja"]["jumlah"] == 400
    assert hasil["perilaku_kerja"]["rata_rata"] == 80
    assert hasil["perilaku_kerja"]["aspek"]["disiplin"] == {
        "nilai": 75,
        "sebutan": "cukup",
        "sebutan_label": "Cukup",
    }
    # 0.6 × 87.8333… + 0.4 × 80 = 84.7 → Baik
    assert hasil["nilai_prestasi_kerja"] == D("84.70")
    assert (hasil["sebutan"], hasil["sebutan_label"]) == ("baik", "Baik")
    # AK target is recorded (0.5 + 1.25), not scored
    assert hasil["jumlah_angka_kredit"] == D("1.75")


def test_hasil_with_biaya_not_done_kegiatan_kreativitas_and_kepemimpinan() -> None:
    payload = pp46_payload(jenis_jabatan="administrator")
    payload["skp"]["kegiatan"] = [
        {
            "uraian": "Pengadaan",
            "target": {"kuantitas": D(10), "kualitas": D(100), "waktu": D(12), "biaya": D(1_000_000)},
            "realisasi": {"kuantitas": D(10), "kualitas": D(95), "waktu": D(12), "biaya": D(800_000)},
        },
        {
            "uraian": "Sosialisasi",
            "target": {"kuantitas": D(5), "kualitas": D(100), "waktu": D(6)},
            "realisasi": {"kuantitas": D(0), "kualitas": D(0), "waktu": D(0)},
        },
    ]
    payload["skp"]["tugas_tambahan"] = ["a", "b", "c", "d"]
    payload["skp"]["kreativitas"] = [{"uraian": "Aplikasi", "tingkat": "instansi"}]
    payload["perilaku_kerja"]["kepemimpinan"] = D(90)
    hasil = pp46.hasil(payload)
    # K1: 100 + 95 + 76 + 96 = 367 / 4 = 91.75; K2 not done: 0 (biaya null, no biaya target)
    assert hasil["kegiatan"][0]["nilai_capaian"] == D("91.75")
    assert hasil["kegiatan"][1]["nilai_capaian"] == 0
    assert hasil["kegiatan"][1]["biaya"] is None
    assert hasil["kegiatan"][1]["sebutan"] == "buruk"
    # mean 45.875 + tugas tambahan (4 → 2) + kreativitas instansi 6 = 53.875 → 53.88, Kurang (> 50)
    assert hasil["tugas_tambahan"]["nilai"] == 2
    assert hasil["kreativitas"] == {"jumlah": 1, "nilai": 6}
    assert hasil["nilai_skp"] == D("53.88")
    assert hasil["sebutan_skp"] == "kurang"
    # perilaku: 400 + 90 = 490; 490 / 6 = 81.666… → 81.67
    assert hasil["perilaku_kerja"]["jumlah_aspek"] == 6
    assert hasil["perilaku_kerja"]["rata_rata"] == D("81.67")
    # 0.6 × 53.875 + 0.4 × 81.666… = 32.325 + 32.666… = 64.991666… → 64.99, Cukup
    assert hasil["nilai_prestasi_kerja"] == D("64.99")
    assert hasil["sebutan"] == "cukup"


def test_payload_errors_name_the_field() -> None:
    payload = pp46_payload()
    payload["skp"]["kegiatan"][1]["target"]["waktu"] = D(0)
    with pytest.raises(ScoringError) as info:
        pp46.hasil(payload)
    assert info.value.field == "skp.kegiatan.1.target.waktu"

    payload = pp46_payload()
    payload["perilaku_kerja"]["integritas"] = D(101)
    with pytest.raises(ScoringError) as info:
        pp46.hasil(payload)
    assert info.value.field == "perilaku_kerja.integritas"

    payload = pp46_payload()
    payload["skp"]["kreativitas"] = [{"uraian": "x", "tingkat": "dunia"}]
    with pytest.raises(ScoringError) as info:
        pp46.hasil(payload)
    assert info.value.field == "skp.kreativitas.0.tingkat"

    payload = pp46_payload()
    payload["skp"]["kegiatan"][0]["target"]["biaya"] = D(1000)
    with pytest.raises(ScoringError) as info:
        pp46.hasil(payload)
    assert info.value.field == "skp.kegiatan.0.realisasi.biaya"

    payload = pp46_payload()
    payload["skp"]["kegiatan"] = []
    with pytest.raises(ScoringError) as info:
        pp46.hasil(payload)
    assert info.value.field == "skp.kegiatan"


def test_rencana_checks() -> None:
    payload = pp46_payload(type_="skp")
    for item in payload["skp"]["kegiatan"]:
        del item["realisasi"]
    payload["skp"]["kegiatan"][1]["target"]["biaya"] = D(500_000)
    hasil = pp46.hasil_rencana(payload)
    # two kegiatan; AK target 0.5 + 1.25 = 1.75; the second has a biaya target → 4 aspects
    assert hasil == {
        "jumlah_kegiatan": 2,
        "jumlah_angka_kredit": D("1.75"),
        "kegiatan": [{"jumlah_aspek": 3}, {"jumlah_aspek": 4}],
    }
