"""The 8/2021 column-set fields (forms.md B1/B2): aspek and the intervened rencana kinerja (JA/JF),
perspektif (JPT), model pengembangan with its standar kinerja levels, and the penilai's keterangan.
"""

from __future__ import annotations

from service.api.openapi import build_spec
from tests.unit.schemas.support import errors, example, load


def test_the_new_examples_load() -> None:
    for name in (
        "permenpanrb_8_2021_skp_jpt",
        "permenpanrb_8_2021_evaluasi_jpt",
        "permenpanrb_8_2021_skp_pengembangan",
        "permenpanrb_8_2021_evaluasi_pengembangan",
    ):
        assert load(example(name))["regime"] == "permenpanrb_8_2021", name


def test_ja_jf_fields_are_kept() -> None:
    loaded = load(example("permenpanrb_8_2021_evaluasi"))
    first = loaded["skp"]["kinerja_utama"][0]
    assert first["aspek"] == "kuantitas"
    assert first["rencana_kinerja_atasan"].startswith("Meningkatnya layanan publik")
    assert loaded["evaluasi"]["keterangan"].startswith("Dokumentasi sistem")


def test_pengembangan_keeps_the_standar_levels() -> None:
    loaded = load(example("permenpanrb_8_2021_skp_pengembangan"))
    assert loaded["skp"]["model"] == "pengembangan"
    assert loaded["skp"]["kinerja_utama"][0]["standar_kinerja"]["baik"] == "4 modul"


def test_bad_values_are_named_each_at_once() -> None:
    payload = example("permenpanrb_8_2021_evaluasi")
    rows = payload["skp"]["kinerja_utama"]
    rows[0]["aspek"] = "kecepatan"
    rows[1]["perspektif"] = "anggaran"  # a JPT column on a pengawas
    rows[2]["standar_kinerja"] = {"baik": "8 jam", "cukup": "9 jam", "kurang": "10 jam"}
    payload["skp"]["model"] = "lanjutan"
    assert errors(payload) == {
        "skp.model": ["harus salah satu dari dasar, pengembangan"],
        "skp.kinerja_utama.0.aspek": ["harus salah satu dari kuantitas, kualitas, waktu, biaya"],
        "skp.kinerja_utama.1.perspektif": ["hanya untuk JPT"],
        # an unknown model reads as model dasar, on which no standar kinerja is given
        "skp.kinerja_utama.2.standar_kinerja": [
            'hanya diisi pada model pengembangan (skp.model = "pengembangan")'
        ],
    }


def test_standar_kinerja_only_on_model_pengembangan() -> None:
    payload = example("permenpanrb_8_2021_evaluasi")
    payload["skp"]["kinerja_utama"][2]["standar_kinerja"] = {
        "baik": "8 jam",
        "cukup": "9 jam",
        "kurang": "10 jam",
    }
    assert errors(payload) == {
        "skp.kinerja_utama.2.standar_kinerja": [
            'hanya diisi pada model pengembangan (skp.model = "pengembangan")'
        ]
    }


def test_pengembangan_needs_standar_kinerja_of_at_least_three_levels_with_baik() -> None:
    payload = example("permenpanrb_8_2021_evaluasi_pengembangan")
    rows = payload["skp"]["kinerja_utama"]
    del rows[0]["standar_kinerja"]
    rows[1]["standar_kinerja"] = {"baik": "100 %", "cukup": "  "}
    rows[2]["standar_kinerja"] = {"kurang": "6 - 7 hari", "cukup": "4 - 5 hari", "sangat_baik": "< 3 hari"}
    assert errors(payload) == {
        "skp.kinerja_utama.0.standar_kinerja": ["wajib diisi pada model pengembangan"],
        "skp.kinerja_utama.1.standar_kinerja": [
            "isi minimal 3 tingkat standar kinerja (termasuk baik); terisi 1"
        ],
        "skp.kinerja_utama.2.standar_kinerja.baik": ["wajib diisi"],
    }


def test_jpt_columns_and_model() -> None:
    payload = example("permenpanrb_8_2021_evaluasi_jpt")
    payload["skp"]["model"] = "pengembangan"
    for row in payload["skp"]["kinerja_utama"]:
        row["standar_kinerja"] = {"cukup": "a", "baik": "b", "sangat_baik": "c"}
    rows = payload["skp"]["kinerja_utama"]
    rows[0]["aspek"] = "kuantitas"
    rows[1]["rencana_kinerja_atasan"] = "Visi misi wali kota"
    assert errors(payload) == {
        "skp.model": ["model pengembangan hanya untuk JA/JF (FORMAT D.2.2/D.2.3), bukan JPT"],
        "skp.kinerja_utama.0.aspek": ["hanya untuk JA/JF"],
        "skp.kinerja_utama.1.rencana_kinerja_atasan": ["hanya untuk JA/JF"],
    }


def test_keterangan_belongs_to_8_2021() -> None:
    payload = example("permenpanrb_6_2022_evaluasi")
    payload.setdefault("evaluasi", {})["keterangan"] = "Catatan"
    assert errors(payload) == {"evaluasi.keterangan": ["hanya untuk regime permenpanrb_8_2021"]}


def test_the_openapi_document_describes_the_new_fields() -> None:
    schemas = build_spec("http://127.0.0.1:5000")["components"]["schemas"]
    assert schemas["SkpPermenPANRB8"]["properties"]["model"]["enum"] == ["dasar", "pengembangan"]
    iki = schemas["KinerjaUtamaPermenPANRB8"]["properties"]
    assert iki["aspek"]["enum"] == ["kuantitas", "kualitas", "waktu", "biaya"]
    assert iki["perspektif"]["enum"] == [
        "penerima_layanan",
        "proses_bisnis",
        "penguatan_internal",
        "anggaran",
    ]
    assert "diintervensi" in iki["rencana_kinerja_atasan"]["description"]
    assert "minimal 3 tingkat" in iki["standar_kinerja"]["description"]
    standar = schemas["StandarKinerjaPermenPANRB8"]
    assert list(standar["properties"]) == ["sangat_kurang", "kurang", "cukup", "baik", "sangat_baik"]
    assert standar["required"] == ["baik"]
    assert standar["additionalProperties"] is False
    assert "keterangan" in schemas["Evaluasi"]["properties"]
