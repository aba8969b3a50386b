"""Every error is reported at once, each on its own dotted path: a client fixes a payload in one pass."""

from __future__ import annotations

from tests.unit.schemas.support import errors, example


def test_field_cross_field_and_unknown_errors_come_together() -> None:
    payload = example("pp46_2011_evaluasi")
    payload["skp"]["kegiatan"][1]["target"]["waktu"] = 0  # field rule
    payload["skp"]["kegiatan"][5]["realisasi"]["kualitas"] = "NaN"  # number rule
    del payload["skp"]["kegiatan"][3]["realisasi"]  # type rule (evaluasi)
    payload["pegawai"]["nip"] = "12345"  # identity rule
    payload["pegawai"]["golonganx"] = "III/a"  # unknown key
    payload["pegawai"]["jenis_jabatan"] = "pelaksana"  # kepemimpinan now refused
    del payload["atasan_pejabat_penilai"]  # required for pp46 evaluasi
    payload["callback_url"] = "http://x.id/hook"  # https only
    payload["ide_baru"] = "Ide"  # 8/2021 only
    assert errors(payload) == {
        "skp.kegiatan.1.target.waktu": ["harus lebih dari 0"],
        "skp.kegiatan.5.realisasi.kualitas": ["harus berupa angka yang terhingga (bukan NaN atau Infinity)"],
        "skp.kegiatan.3.realisasi": ["wajib diisi untuk evaluasi"],
        "pegawai.nip": ["NIP harus terdiri atas 18 angka"],
        "pegawai.golonganx": ["bidang tidak dikenal"],
        "perilaku_kerja.kepemimpinan": [
            "hanya dinilai untuk jabatan struktural (JPT, administrator, pengawas)"
        ],
        "atasan_pejabat_penilai": ["wajib diisi untuk evaluasi regime pp46_2011"],
        "callback_url": ["harus berupa URL https yang sah"],
        "ide_baru": ["hanya untuk regime permenpanrb_8_2021"],
    }


def test_every_bad_row_of_a_list_is_reported() -> None:
    payload = example("permenpanrb_8_2021_evaluasi")
    for index in range(5):
        payload["skp"]["kinerja_utama"][index]["realisasi"] = -index - 1
    found = errors(payload)
    assert sorted(found) == [f"skp.kinerja_utama.{i}.realisasi" for i in range(5)]
    assert set(map(tuple, found.values())) == {("tidak boleh negatif",)}


def test_a_nested_object_reports_all_its_fields() -> None:
    payload = example("permenpanrb_6_2022_evaluasi")
    payload["skp"]["hasil_kerja"][0] = {"jenis": "inti", "aspek": "mutu", "perspektif": "keuangan", "x": 1}
    assert errors(payload) == {
        "skp.hasil_kerja.0.jenis": ["harus salah satu dari utama, tambahan"],
        "skp.hasil_kerja.0.aspek": ["harus salah satu dari kuantitas, kualitas, waktu, biaya"],
        "skp.hasil_kerja.0.perspektif": [
            "harus salah satu dari penerima_layanan, proses_bisnis, penguatan_internal, anggaran"
        ],
        "skp.hasil_kerja.0.x": ["bidang tidak dikenal"],
        "skp.hasil_kerja.0.rencana_hasil_kerja": ["wajib diisi"],
        "skp.hasil_kerja.0.iki": ["wajib diisi"],
        "skp.hasil_kerja.0.target": ["wajib diisi"],
        "skp.hasil_kerja.0.realisasi": ["wajib diisi untuk evaluasi"],
        "skp.hasil_kerja.0.rating": ["wajib diisi bila rating diisi pada hasil kerja lain"],
    }


def test_empty_body_lists_every_required_field() -> None:
    assert errors({}) == {
        key: ["wajib diisi"] for key in ("type", "periode", "instansi", "pegawai", "pejabat_penilai", "skp")
    }


def test_a_body_that_is_not_an_object() -> None:
    assert errors(["skp"]) == {"": ["harus berupa objek JSON"]}
