"""What each document type requires (api.md "Document payload", rules.md §2–§4)."""

from __future__ import annotations

import pytest

from service.scoring.vocabulary import DOCUMENT_TYPES
from tests.unit.schemas.support import errors, example, load


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        ("pp46_2011_evaluasi", "kegiatan"),
        ("pp46_2011_dokumen_penilaian", "kegiatan"),
        ("permenpanrb_8_2021_evaluasi", "kinerja_utama"),
        ("permenpanrb_8_2021_dokumen_penilaian", "kinerja_utama"),
        ("permenpanrb_6_2022_evaluasi", "hasil_kerja"),
        ("permenpanrb_6_2022_dokumen_penilaian", "hasil_kerja"),
    ],
)
def test_assessments_need_realisasi_on_every_row(name: str, rows: str) -> None:
    payload = example(name)
    kind = payload["type"]
    del payload["skp"][rows][1]["realisasi"]
    payload["skp"][rows][3]["realisasi"] = None
    assert errors(payload) == {
        f"skp.{rows}.1.realisasi": [f"wajib diisi untuk {kind}"],
        f"skp.{rows}.3.realisasi": [f"wajib diisi untuk {kind}"],
    }


@pytest.mark.parametrize("name", ["pp46_2011_skp", "permenpanrb_8_2021_skp", "permenpanrb_6_2022_skp"])
def test_a_plan_needs_no_realisasi_and_no_perilaku(name: str) -> None:
    payload = example(name)
    payload.pop("perilaku_kerja", None)
    assert load(payload)["type"] == "skp"


@pytest.mark.parametrize("name", ["pp46_2011_dokumen_penilaian", "permenpanrb_8_2021_evaluasi"])
def test_assessments_under_the_numeric_regimes_need_perilaku(name: str) -> None:
    payload = example(name)
    del payload["perilaku_kerja"]
    assert errors(payload) == {"perilaku_kerja": [f"wajib diisi untuk {payload['type']}"]}


def test_6_2022_assessment_needs_the_evaluation_ratings() -> None:
    payload = example("permenpanrb_6_2022_evaluasi_tahunan")
    del payload["evaluasi"]["rating_hasil_kerja"]
    payload["evaluasi"]["capaian_organisasi"] = None
    assert errors(payload) == {
        "evaluasi.rating_hasil_kerja": ["wajib diisi untuk evaluasi"],
        "evaluasi.capaian_organisasi": ["wajib diisi untuk evaluasi"],
    }
    del payload["evaluasi"]
    assert errors(payload) == {"evaluasi": ["wajib diisi untuk evaluasi"]}


def test_6_2022_ratings_and_capaian_organisasi_are_enumerations() -> None:
    payload = example("permenpanrb_6_2022_dokumen_penilaian")
    payload["evaluasi"]["rating_perilaku_kerja"] = "baik"
    payload["evaluasi"]["capaian_organisasi"] = "luar_biasa"
    payload["skp"]["hasil_kerja"][0]["rating"] = "Sesuai Ekspektasi"
    found = errors(payload)
    assert found["evaluasi.rating_perilaku_kerja"] == [
        "harus salah satu dari di_atas_ekspektasi, sesuai_ekspektasi, di_bawah_ekspektasi"
    ]
    assert found["evaluasi.capaian_organisasi"] == [
        "harus salah satu dari istimewa, baik, butuh_perbaikan, kurang, sangat_kurang"
    ]
    assert "skp.hasil_kerja.0.rating" in found


def test_ratings_per_rhk_on_all_or_none() -> None:
    payload = example("permenpanrb_6_2022_evaluasi_tahunan")
    del payload["skp"]["hasil_kerja"][2]["rating"]
    del payload["skp"]["hasil_kerja"][4]["rating"]
    assert errors(payload) == {
        "skp.hasil_kerja.2.rating": ["wajib diisi bila rating diisi pada hasil kerja lain"],
        "skp.hasil_kerja.4.rating": ["wajib diisi bila rating diisi pada hasil kerja lain"],
    }
    for row in payload["skp"]["hasil_kerja"]:
        row.pop("rating", None)
    assert load(payload)


def test_ratings_are_6_2022_only() -> None:
    payload = example("permenpanrb_8_2021_dokumen_penilaian")
    payload["evaluasi"]["rating_hasil_kerja"] = "sesuai_ekspektasi"
    payload["evaluasi"]["capaian_organisasi"] = "baik"
    assert errors(payload) == {
        "evaluasi.rating_hasil_kerja": ["hanya untuk regime permenpanrb_6_2022"],
        "evaluasi.capaian_organisasi": ["hanya untuk regime permenpanrb_6_2022"],
    }


@pytest.mark.parametrize(
    ("name", "needed"),
    [
        ("pp46_2011_dokumen_penilaian", "wajib diisi untuk dokumen_penilaian"),
        ("permenpanrb_8_2021_dokumen_penilaian", "wajib diisi untuk dokumen_penilaian"),
        ("permenpanrb_6_2022_dokumen_penilaian", "wajib diisi untuk dokumen_penilaian"),
        ("pp46_2011_evaluasi", "wajib diisi untuk evaluasi regime pp46_2011"),
    ],
)
def test_atasan_pejabat_penilai_required(name: str, needed: str) -> None:
    payload = example(name)
    del payload["atasan_pejabat_penilai"]
    assert errors(payload) == {"atasan_pejabat_penilai": [needed]}


def test_atasan_pejabat_penilai_optional_for_other_evaluations() -> None:
    for name in ("permenpanrb_8_2021_evaluasi", "permenpanrb_6_2022_evaluasi"):
        payload = example(name)
        payload.pop("atasan_pejabat_penilai", None)
        assert "atasan_pejabat_penilai" not in load(payload)


def test_manual_iku_document_needs_a_manual_on_every_rhk() -> None:
    payload = example("permenpanrb_6_2022_manual_iku")
    del payload["skp"]["hasil_kerja"][1]["manual_iku"]
    assert errors(payload) == {"skp.hasil_kerja.1.manual_iku": ["wajib diisi untuk dokumen manual_iku"]}


def test_manual_iku_formula_required_when_kuantitatif_only() -> None:
    payload = example("permenpanrb_6_2022_manual_iku")
    del payload["skp"]["hasil_kerja"][0]["manual_iku"]["formula"]
    payload["skp"]["hasil_kerja"][2]["manual_iku"]["formula"] = None
    assert errors(payload) == {
        "skp.hasil_kerja.0.manual_iku.formula": ["wajib diisi bila pendekatan kuantitatif"],
        "skp.hasil_kerja.2.manual_iku.formula": ["wajib diisi bila pendekatan kuantitatif"],
    }
    payload["skp"]["pendekatan"] = "kualitatif"
    assert "formula" not in load(payload)["skp"]["hasil_kerja"][0]["manual_iku"]


def test_manual_iku_enumerations() -> None:
    payload = example("permenpanrb_6_2022_manual_iku")
    manual = payload["skp"]["hasil_kerja"][0]["manual_iku"]
    manual["kualitas_tingkat_kendali"] = "output"
    manual["periode_pelaporan"] = "mingguan"
    assert errors(payload) == {
        "skp.hasil_kerja.0.manual_iku.kualitas_tingkat_kendali": [
            "harus salah satu dari outcome, outcome_antara, output_kendali_rendah"
        ],
        "skp.hasil_kerja.0.manual_iku.periode_pelaporan": [
            "harus salah satu dari bulanan, triwulanan, semesteran, tahunan"
        ],
    }


def test_pp46_biaya_target_and_realisasi_go_together() -> None:
    payload = example("pp46_2011_evaluasi")
    del payload["skp"]["kegiatan"][2]["realisasi"]["biaya"]
    payload["skp"]["kegiatan"][0]["realisasi"]["biaya"] = 1000
    assert errors(payload) == {
        "skp.kegiatan.2.realisasi.biaya": ["wajib diisi karena target biaya diisi"],
        "skp.kegiatan.0.realisasi.biaya": ["tidak dapat dinilai karena target biaya tidak diisi"],
    }


def test_pp46_a_bad_target_biaya_is_not_mistaken_for_a_missing_one() -> None:
    payload = example("pp46_2011_evaluasi")
    payload["skp"]["kegiatan"][2]["target"]["biaya"] = "empat puluh lima juta"
    assert errors(payload) == {"skp.kegiatan.2.target.biaya": ["harus berupa angka"]}


def test_8_2021_bobot_on_every_iki_or_none() -> None:
    payload = example("permenpanrb_8_2021_dokumen_penilaian")
    del payload["skp"]["kinerja_utama"][1]["bobot"]
    payload["skp"]["kinerja_utama"][3]["bobot"] = None
    assert errors(payload) == {
        "skp.kinerja_utama.1.bobot": ["wajib diisi bila bobot diisi pada indikator kinerja lain"],
        "skp.kinerja_utama.3.bobot": ["wajib diisi bila bobot diisi pada indikator kinerja lain"],
    }
    payload["skp"]["kinerja_utama"][1]["bobot"] = 0
    payload["skp"]["kinerja_utama"][3]["bobot"] = "abc"
    assert errors(payload) == {
        "skp.kinerja_utama.1.bobot": ["harus lebih dari 0"],
        "skp.kinerja_utama.3.bobot": ["harus berupa angka"],
    }


def test_8_2021_flags_are_json_booleans() -> None:
    payload = example("permenpanrb_8_2021_evaluasi")
    payload["skp"]["kinerja_utama"][0]["kondisi_khusus"] = "yes"
    payload["skp"]["kinerja_utama"][1]["maksimal"] = 1
    assert errors(payload) == {
        "skp.kinerja_utama.0.kondisi_khusus": ["harus true atau false"],
        "skp.kinerja_utama.1.maksimal": ["harus true atau false"],
    }


def test_ide_baru_is_8_2021_only() -> None:
    payload = example("permenpanrb_6_2022_evaluasi")
    payload["ide_baru"] = "Gagasan"
    assert errors(payload) == {"ide_baru": ["hanya untuk regime permenpanrb_8_2021"]}


def test_angka_kredit_is_6_2022_and_fungsional_only() -> None:
    payload = example("permenpanrb_6_2022_dokumen_penilaian")  # a pengawas
    payload["angka_kredit"] = {"jenjang": "ahli_muda", "bulan": 12}
    assert errors(payload) == {"angka_kredit": ["hanya untuk jabatan fungsional"]}
    pp46 = example("pp46_2011_evaluasi_guru")
    pp46["angka_kredit"] = {"jenjang": "ahli_muda"}
    assert list(errors(pp46)) == ["angka_kredit"]


def test_angka_kredit_fields() -> None:
    payload = example("permenpanrb_6_2022_evaluasi")
    payload["angka_kredit"] = {"jenjang": "ahli", "bulan": 13}
    assert errors(payload) == {
        "angka_kredit.jenjang": [
            "harus salah satu dari pemula, terampil, mahir, penyelia, ahli_pertama, "
            "ahli_muda, ahli_madya, ahli_utama"
        ],
        "angka_kredit.bulan": ["paling tinggi 12"],
    }
    payload["angka_kredit"] = {"jenjang": "ahli_pertama", "bulan": 0}
    assert errors(payload) == {"angka_kredit.bulan": ["harus lebih dari 0"]}


def test_type_is_required_and_an_enumeration() -> None:
    payload = example("pp46_2011_skp")
    payload["type"] = "laporan"
    assert errors(payload) == {"type": ["harus salah satu dari " + ", ".join(DOCUMENT_TYPES)]}
    del payload["type"]
    assert errors(payload) == {"type": ["wajib diisi"]}


def test_rows_are_required_and_bounded() -> None:
    payload = example("pp46_2011_skp")
    payload["skp"]["kegiatan"] = []
    assert errors(payload) == {"skp.kegiatan": ["minimal satu baris"]}
    payload["skp"]["kegiatan"] = [example("pp46_2011_skp")["skp"]["kegiatan"][0]] * 1001
    assert errors(payload) == {"skp.kegiatan": ["paling banyak 1000 baris"]}
    payload["skp"]["kegiatan"] = {"0": {}}
    assert errors(payload) == {"skp.kegiatan": ["harus berupa daftar (array JSON)"]}
    payload["skp"] = []
    assert errors(payload) == {"skp": ["harus berupa objek JSON"]}


def test_callback_url_must_be_https() -> None:
    payload = example("permenpanrb_6_2022_skp")
    payload["callback_url"] = "https://simpeg.jatengprov.go.id/webhooks/skp"
    assert load(payload)["callback_url"] == "https://simpeg.jatengprov.go.id/webhooks/skp"
    for bad in ("http://simpeg.jatengprov.go.id/hook", "ftp://x.id/a", "simpeg.go.id/hook", "https://", 5):
        payload["callback_url"] = bad
        assert errors(payload) == {"callback_url": ["harus berupa URL https yang sah"]}, bad
    payload["callback_url"] = "https://simpeg.go.id/" + "a" * 2000
    assert errors(payload) == {"callback_url": ["paling banyak 2000 karakter"]}


def test_jpt_hasil_kerja_each_need_a_perspektif() -> None:
    payload = example("permenpanrb_6_2022_skp_jpt")
    del payload["skp"]["hasil_kerja"][2]["perspektif"]
    assert errors(payload) == {"skp.hasil_kerja.2.perspektif": ["wajib diisi untuk JPT"]}
    payload["pegawai"]["jenis_jabatan"] = "administrator"  # e.g. pimpinan unit kerja mandiri: optional
    assert "perspektif" not in load(payload)["skp"]["hasil_kerja"][2]
